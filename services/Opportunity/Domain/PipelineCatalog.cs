using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;
using Pipeline.Opportunity.Infrastructure;

namespace Pipeline.Opportunity.Domain;

/// <summary>
/// The organisation's pipelines; the default one is created on first use. Every write reads its pipeline's
/// stages, so read-only lookups come from a short-lived cache: a change made by an admin reaches this replica
/// at once and the others within <see cref="CacheLifetime"/>.
/// </summary>
public sealed class PipelineCatalog(OpportunityDbContext db, TimeProvider clock, IMemoryCache cache)
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(10);

    public async Task<List<SalesPipeline>> AllAsync(CancellationToken cancellationToken)
    {
        var organization = db.Tenant.OrganizationId ?? throw new InvalidOperationException("No organisation.");
        var pipelines = await cache.GetOrCreateAsync(Key(organization), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheLifetime;
            await EnsureDefaultAsync(organization, cancellationToken);
            return await db.Pipelines.AsNoTracking().Include(p => p.Stages)
                .OrderByDescending(p => p.IsDefault).ThenBy(p => p.Name).ToListAsync(cancellationToken);
        });
        return pipelines!;
    }

    /// <summary>A pipeline to read (not tracked); the default one when <paramref name="id"/> is null.</summary>
    public async Task<SalesPipeline?> FindAsync(Guid? id, CancellationToken cancellationToken)
    {
        var pipelines = await AllAsync(cancellationToken);
        return id is { } pipelineId ? pipelines.SingleOrDefault(p => p.Id == pipelineId) : pipelines.Single(p => p.IsDefault);
    }

    /// <summary>A pipeline to change, tracked by the context, with its stages.</summary>
    public async Task<SalesPipeline?> FindForUpdateAsync(Guid id, CancellationToken cancellationToken)
    {
        await AllAsync(cancellationToken);
        return await db.Pipelines.Include(p => p.Stages).SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
    }

    /// <summary>Forgets this replica's copy after a change.</summary>
    public void Invalidate() => cache.Remove(Key(db.Tenant.OrganizationId ?? Guid.Empty));

    private static string Key(Guid organization) => $"pipelines:{organization}";

    private async Task EnsureDefaultAsync(Guid organization, CancellationToken cancellationToken)
    {
        if (await db.Pipelines.AnyAsync(cancellationToken))
        {
            return;
        }

        var pipeline = SalesPipeline.Default(organization, clock.GetUtcNow());
        db.Pipelines.Add(pipeline);
        db.Publish(OpportunityEvents.PipelineChanged(pipeline, actorId: null));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Another request created it at the same moment: use theirs.
        }

        db.ChangeTracker.Clear();
    }
}
