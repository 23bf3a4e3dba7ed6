using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Pipeline.Automation.Domain;
using Pipeline.Automation.Infrastructure;
using Pipeline.Messaging.Tenancy;

namespace Pipeline.Automation.Scheduling;

/// <summary>
/// Evaluates the time-based triggers periodically: deals gone stale (<c>Stale</c>) and deals whose expected
/// decision date is near (<c>DecisionDateApproaching</c>). Each deal fires once per episode, not at every pass: a
/// run is recorded for the rule, the deal and the episode (the deal's last change for a stale deal, the date for a
/// decision), and a pass skips what already has one. Replicas sweep an organisation one at a time (a transaction
/// lock), and the runs' unique episode stops a duplicate all the same.
/// </summary>
public sealed partial class TimeTriggers(
    IServiceScopeFactory scopes, NpgsqlDataSource database, TimeProvider clock, AutomationTelemetry telemetry,
    IOptions<AutomationOptions> options, ILogger<TimeTriggers> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.TimeTriggerInterval, clock);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogSweepFailed(logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass over every organisation with an enabled time-based rule; returns the runs it recorded.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var organizations = new List<Guid>();
        await using (var command = database.CreateCommand(
            "SELECT DISTINCT organization_id FROM automation_rules WHERE enabled AND deleted_at IS NULL AND trigger_type = ANY($1)"))
        {
            command.Parameters.AddWithValue(new[] { TriggerTypes.Stale, TriggerTypes.DecisionDateApproaching });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                organizations.Add(reader.GetGuid(0));
            }
        }

        var recorded = 0;
        foreach (var organization in organizations)
        {
            recorded += await SweepAsync(organization, cancellationToken);
        }

        return recorded;
    }

    private async Task<int> SweepAsync(Guid organizationId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Use(organizationId);
        var db = scope.ServiceProvider.GetRequiredService<AutomationDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var locked = await db.Database.SqlQuery<bool>(
            $"SELECT pg_try_advisory_xact_lock(hashtext('automation-time-triggers'), hashtext({organizationId.ToString()})) AS \"Value\"").SingleAsync(cancellationToken);
        if (!locked)
        {
            return 0; // another replica is sweeping this organisation now
        }

        var rules = await db.Rules.AsNoTracking()
            .Where(r => r.Enabled && r.DeletedAt == null && (r.TriggerType == TriggerTypes.Stale || r.TriggerType == TriggerTypes.DecisionDateApproaching))
            .ToListAsync(cancellationToken);
        var view = await OrganizationViews.LoadAsync(db, cancellationToken);
        var now = clock.GetUtcNow();
        var runs = new List<RuleRun>();
        foreach (var rule in rules.Select(ActiveRule.Of))
        {
            var trigger = rule.Definition.Trigger;
            List<Deal> candidates;
            if (trigger.Type == TriggerTypes.Stale)
            {
                var days = trigger.Days ?? view.Stages.Values.Where(s => !s.Removed && s.RottingDays > 0).Select(s => (int?)s.RottingDays).Min();
                if (days is null)
                {
                    continue;
                }

                var ruleId = rule.Id;
                var touchedBefore = now.AddDays(-days.Value);
                // Not fired for the stale episode that began with its last change.
                candidates = await db.Deals.AsNoTracking()
                    .Where(d => d.Status == DealStatus.Open && d.CreatedAt != null && d.LastTouchedAt <= touchedBefore
                                && !db.Runs.Any(r => r.RuleId == ruleId && r.OpportunityId == d.OpportunityId && r.EpisodeStartedAt == d.LastTouchedAt))
                    .ToListAsync(cancellationToken);
            }
            else
            {
                var today = view.Calendar.Today(clock);
                var until = today.AddDays(trigger.DaysBefore ?? 0);
                candidates = await db.Deals.AsNoTracking()
                    .Where(d => d.Status == DealStatus.Open && d.CreatedAt != null && d.ExpectedDecisionDate >= today && d.ExpectedDecisionDate <= until)
                    .ToListAsync(cancellationToken);
            }

            if (candidates.Count == 0)
            {
                continue;
            }

            var ids = candidates.Select(d => d.OpportunityId).ToList();
            var fired = (await db.Runs.AsNoTracking().Where(r => r.RuleId == rule.Id && ids.Contains(r.OpportunityId))
                .Select(r => new { r.OpportunityId, r.Episode }).ToListAsync(cancellationToken)).Select(r => (r.OpportunityId, r.Episode)).ToHashSet();
            var activities = trigger.Type == TriggerTypes.Stale
                ? (await db.Activities.AsNoTracking().Where(a => ids.Contains(a.OpportunityId) && !a.Done).ToListAsync(cancellationToken)).ToLookup(a => a.OpportunityId)
                : Enumerable.Empty<DealActivity>().ToLookup(a => a.OpportunityId);
            foreach (var deal in candidates)
            {
                var dealActivities = activities[deal.OpportunityId].ToList();
                if (Triggers.Due(trigger, deal, dealActivities, view, now) is not { } match || fired.Contains((deal.OpportunityId, match.Episode)))
                {
                    continue;
                }

                RuleRun? run;
                try
                {
                    run = RuleEngine.OnMatch(rule, match, deal, null, view, now);
                    if (run is { Status: RunStatus.Scheduled } && run.DueAt <= now)
                    {
                        foreach (var command in RuleEngine.Fire(rule, run, deal, null, dealActivities, view, now))
                        {
                            db.Publish(command);
                        }
                    }
                }
                catch (Exception exception) when (exception is not (DbUpdateException or OperationCanceledException))
                {
                    // This rule fails on this deal; the other deals and rules go on.
                    LogRuleFailed(logger, exception, rule.Id, deal.OpportunityId);
                    run = RuleEngine.Failed(rule, match, deal, exception, now);
                }

                if (run is not null)
                {
                    runs.Add(run);
                }
            }
        }

        db.Runs.AddRange(runs);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        foreach (var run in runs)
        {
            telemetry.RunRecorded(run.Status);
        }

        return runs.Count;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Rule {RuleId} failed on opportunity {OpportunityId}; a failed run is recorded")]
    private static partial void LogRuleFailed(ILogger logger, Exception exception, Guid ruleId, Guid opportunityId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A pass of the time-based triggers failed; the next one runs at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
