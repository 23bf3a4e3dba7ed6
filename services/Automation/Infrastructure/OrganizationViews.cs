using Microsoft.EntityFrameworkCore;
using Pipeline.Automation.Apis;
using Pipeline.Automation.Domain;
using Pipeline.Messaging.Organizations;

namespace Pipeline.Automation.Infrastructure;

/// <summary>Loads what rules are evaluated against, for the organisation the context is scoped to.</summary>
public static class OrganizationViews
{
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
