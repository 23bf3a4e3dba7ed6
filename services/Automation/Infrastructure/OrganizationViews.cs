using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Pipeline.Automation.Apis;
using Pipeline.Automation.Domain;
using Pipeline.Messaging.Organizations;

namespace Pipeline.Automation.Infrastructure;

/// <summary>Loads what rules are evaluated against, for the organisation the context is scoped to.</summary>
public static class OrganizationViews
{
    /// <summary>How long a replica evaluates with what it read before: a new stage, user or rate is used within this.</summary>
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(5);

    /// <summary>
    /// <see cref="LoadAsync(AutomationDbContext, CancellationToken)"/> through a short-lived cache, for the hot paths
    /// (every batch of deal events): four small queries saved per batch. A replica forgets it when it applies a change.
    /// </summary>
    public static async Task<OrganizationView> LoadAsync(AutomationDbContext db, IMemoryCache cache, CancellationToken cancellationToken)
    {
        var organization = db.Tenant.OrganizationId ?? throw new InvalidOperationException("No organisation in scope.");
        return (await cache.GetOrCreateAsync(Key(organization), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheLifetime;
            return await LoadAsync(db, cancellationToken);
        }))!;
    }

    public static void Forget(IMemoryCache cache, Guid organizationId) => cache.Remove(Key(organizationId));

    private static (string, Guid) Key(Guid organizationId) => ("automation-organization-view", organizationId);

    public static async Task<OrganizationView> LoadAsync(AutomationDbContext db, CancellationToken cancellationToken)
    {
        var profile = await OrganizationProfiles.CurrentAsync(db, cancellationToken);
        var rates = await db.ExchangeRates.AsNoTracking().ToListAsync(cancellationToken);
        var references = await LoadReferencesAsync(db, cancellationToken);
        return new OrganizationView(profile, ExchangeRates.Table(rates, profile.Currency), references.Stages, references.Users);
    }

    public static async Task<RuleReferences> LoadReferencesAsync(AutomationDbContext db, CancellationToken cancellationToken)
    {
        var stages = await db.Stages.AsNoTracking().ToDictionaryAsync(s => s.StageId, cancellationToken);
        var users = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.UserId, cancellationToken);
        return new RuleReferences(stages, users);
    }
}
