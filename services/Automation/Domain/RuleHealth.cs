using Microsoft.EntityFrameworkCore;
using Pipeline.Automation.Infrastructure;

namespace Pipeline.Automation.Domain;

/// <summary>
/// A rule whose stage or user disappears would fail at every match: it is disabled instead, with the reason shown
/// on the rule, until an admin points it elsewhere and enables it again.
/// </summary>
public sealed partial class RuleHealth(AutomationDbContext db, ILogger<RuleHealth> logger)
{
    public async Task DisableNamingStagesAsync(IReadOnlyList<PipelineStage> removed, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var ids = removed.ToDictionary(s => s.StageId);
        foreach (var rule in await EnabledRulesAsync(cancellationToken))
        {
            if (rule.Definition.Stages().FirstOrDefault(ids.ContainsKey) is { } stageId && stageId != Guid.Empty)
            {
                var stage = ids[stageId];
                await DisableAsync(rule, $"Stage '{stage.Name}' was removed from pipeline '{stage.PipelineName}' on {at:yyyy-MM-dd}", at, cancellationToken);
            }
        }
    }

    public async Task DisableNamingUserAsync(SalesUser user, DateTimeOffset at, CancellationToken cancellationToken)
    {
        foreach (var rule in await EnabledRulesAsync(cancellationToken))
        {
            if (rule.Definition.Users().Contains(user.UserId))
            {
                await DisableAsync(rule, $"User {user.Name} ({user.Email}) was deactivated on {at:yyyy-MM-dd}", at, cancellationToken);
            }
        }
    }

    private Task<List<AutomationRule>> EnabledRulesAsync(CancellationToken cancellationToken) =>
        db.Rules.Where(r => r.Enabled && r.DeletedAt == null).ToListAsync(cancellationToken);

    private async Task DisableAsync(AutomationRule rule, string reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        rule.Enabled = false;
        rule.DisabledReason = reason;
        rule.Version++;
        rule.Revision = await db.NextRevisionAsync(cancellationToken);
        rule.UpdatedAt = at;
        rule.UpdatedBy = null;
        LogDisabled(logger, rule.Id, rule.OrganizationId, reason);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rule {RuleId} of organisation {OrganizationId} disabled: {Reason}")]
    private static partial void LogDisabled(ILogger logger, Guid ruleId, Guid organizationId, string reason);
}
