using Microsoft.EntityFrameworkCore;
using Npgsql;
using Pipeline.Opportunities.Infrastructure;

namespace Pipeline.Opportunities.Domain;

/// <summary>The organisation's pipelines; the default one is created on first use.</summary>
public sealed class PipelineCatalog(OpportunityDbContext db, TimeProvider clock)
{
    public async Task<List<SalesPipeline>> AllAsync(CancellationToken cancellationToken)
    {
        await EnsureDefaultAsync(cancellationToken);
        return await db.Pipelines.Include(p => p.Stages).OrderByDescending(p => p.IsDefault).ThenBy(p => p.Name).ToListAsync(cancellationToken);
    }

    public async Task<SalesPipeline?> FindAsync(Guid? id, CancellationToken cancellationToken)
    {
        await EnsureDefaultAsync(cancellationToken);
        return id is { } pipelineId
            ? await db.Pipelines.Include(p => p.Stages).SingleOrDefaultAsync(p => p.Id == pipelineId, cancellationToken)
            : await db.Pipelines.Include(p => p.Stages).SingleAsync(p => p.IsDefault, cancellationToken);
    }

    private async Task EnsureDefaultAsync(CancellationToken cancellationToken)
    {
        if (await db.Pipelines.AnyAsync(cancellationToken))
        {
            return;
        }

        var organization = db.Tenant.OrganizationId ?? throw new InvalidOperationException("No organisation.");
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
            db.ChangeTracker.Clear();
        }
    }
}
