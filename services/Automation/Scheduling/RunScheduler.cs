using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Npgsql;
using Pipeline.Automation.Domain;
using Pipeline.Automation.Infrastructure;
using Pipeline.Messaging.Tenancy;

namespace Pipeline.Automation.Scheduling;

/// <summary>
/// Fires the delayed actions when they are due. They are rows of <c>rule_runs</c> (status <c>scheduled</c>), so they
/// survive restarts and broker outages; each replica claims due rows with <c>FOR UPDATE SKIP LOCKED</c>, settles
/// them (re-checking the deal, see <see cref="RuleEngine.Fire"/>) and writes the actions' commands to the outbox in
/// the same transaction: several replicas never fire a run twice, and a replica that dies mid-batch releases its
/// rows (its transaction rolls back) for another to fire. (Why not Quartz.NET: docs/decisions/0006.)
/// </summary>
public sealed partial class RunScheduler(
    IServiceScopeFactory scopes, NpgsqlDataSource database, TimeProvider clock, IMemoryCache cache, AutomationTelemetry telemetry,
    IOptions<AutomationOptions> options, ILogger<RunScheduler> logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MinPause = TimeSpan.FromMilliseconds(50);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan pause;
            try
            {
                var settled = await FireDueAsync(stoppingToken);
                pause = await UntilNextDueAsync(stoppingToken);
                // Runs due a few milliseconds apart are fired together, a pass for several rather than for each:
                // most of a pass's cost is its queries, not its runs. (Or, when nothing could be settled, the due
                // runs are another replica's to finish.)
                if (pause < MinPause)
                {
                    pause = MinPause;
                }

                failures = 0;
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                failures++;
                pause = TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 250 * Math.Pow(2, Math.Min(failures, 10))));
                LogPassFailed(logger, exception, pause.TotalSeconds);
            }

            try
            {
                await Task.Delay(pause, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Fires every run due now, organisation by organisation, in batches; returns how many were settled.</summary>
    public async Task<int> FireDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var due = new List<(Guid Organization, long Count)>();
        await using (var command = database.CreateCommand(
            "SELECT organization_id, count(*) FROM rule_runs WHERE status = 'scheduled' AND due_at <= $1 GROUP BY organization_id"))
        {
            command.Parameters.AddWithValue(now);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                due.Add((reader.GetGuid(0), reader.GetInt64(1)));
            }
        }

        telemetry.Backlog(due.Sum(d => d.Count));
        var settled = 0;
        foreach (var (organization, count) in due)
        {
            // Two batches in flight when there is more than one: while one waits for the database, the other is
            // settled (each claims its own rows: SKIP LOCKED).
            var lanes = count > options.Value.SchedulerBatchSize ? 2 : 1;
            var drained = await Task.WhenAll(Enumerable.Range(0, lanes).Select(_ => DrainAsync(organization, now, cancellationToken)));
            settled += drained.Sum();
        }

        return settled;
    }

    private async Task<int> DrainAsync(Guid organizationId, DateTimeOffset dueBy, CancellationToken cancellationToken)
    {
        var settled = 0;
        int batch;
        do
        {
            batch = await FireBatchAsync(organizationId, dueBy, cancellationToken);
            settled += batch;
        }
        while (batch == options.Value.SchedulerBatchSize);
        return settled;
    }

    private async Task<int> FireBatchAsync(Guid organizationId, DateTimeOffset dueBy, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Use(organizationId);
        var db = scope.ServiceProvider.GetRequiredService<AutomationDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var runs = await db.Runs.FromSql($"""
            SELECT * FROM rule_runs
            WHERE organization_id = {organizationId} AND status = 'scheduled' AND due_at <= {dueBy}
            ORDER BY due_at LIMIT {options.Value.SchedulerBatchSize}
            FOR UPDATE SKIP LOCKED
            """).IgnoreQueryFilters().ToListAsync(cancellationToken);
        if (runs.Count == 0)
        {
            return 0;
        }

        var ruleIds = runs.Select(r => r.RuleId).Distinct().ToList();
        var rules = await db.Rules.AsNoTracking().Where(r => ruleIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, cancellationToken);
        var opportunityIds = runs.Select(r => r.OpportunityId).Distinct().ToList();
        var deals = await db.Deals.AsNoTracking().Where(d => opportunityIds.Contains(d.OpportunityId)).ToDictionaryAsync(d => d.OpportunityId, cancellationToken);
        var quoteIds = runs.Where(r => r.QuoteId is not null).Select(r => r.QuoteId!.Value).Distinct().ToList();
        var quotes = await db.Quotes.AsNoTracking().Where(q => quoteIds.Contains(q.QuoteId)).ToDictionaryAsync(q => q.QuoteId, cancellationToken);
        var staleDeals = runs.Where(r => r.TriggerType == TriggerTypes.Stale).Select(r => r.OpportunityId).Distinct().ToList();
        var activities = (await db.Activities.AsNoTracking().Where(a => staleDeals.Contains(a.OpportunityId) && !a.Done).ToListAsync(cancellationToken))
            .ToLookup(a => a.OpportunityId);
        var view = await OrganizationViews.LoadAsync(db, cache, cancellationToken);

        var now = clock.GetUtcNow();
        foreach (var run in runs)
        {
            using var span = AutomationTelemetry.StartFiring(run.TraceParent);
            span?.SetTag("pipeline.automation.run_id", run.Id);
            rules.TryGetValue(run.RuleId, out var rule);
            if (rule is null || rule.DeletedAt is not null)
            {
                RuleEngine.Settle(run, RunStatus.Skipped, "The rule was deleted", now);
            }
            else if (!rule.Enabled)
            {
                RuleEngine.Settle(run, RunStatus.Skipped, rule.DisabledReason is null ? "The rule was disabled" : $"The rule was disabled: {rule.DisabledReason}", now);
            }
            else if (rule.Version != run.RuleVersion)
            {
                RuleEngine.Settle(run, RunStatus.Skipped, "The rule was changed after this action was scheduled", now);
            }
            else
            {
                try
                {
                    var quote = run.QuoteId is { } quoteId ? quotes.GetValueOrDefault(quoteId) : null;
                    foreach (var command in RuleEngine.Fire(ActiveRule.Of(rule), run, deals.GetValueOrDefault(run.OpportunityId), quote,
                                 activities[run.OpportunityId].ToList(), view, now))
                    {
                        db.Publish(command);
                    }
                }
                catch (Exception exception) when (exception is not (DbUpdateException or OperationCanceledException))
                {
                    LogRunFailed(logger, exception, run.Id, run.RuleId);
                    RuleEngine.Settle(run, RunStatus.Failed, $"The rule failed: {exception.Message}", now);
                }
            }

            span?.SetTag("pipeline.automation.status", run.Status);
            telemetry.RunRecorded(run.Status);
            telemetry.Fired(now - run.DueAt);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return runs.Count;
    }

    /// <summary>How long to sleep: until the next run is due, at most <see cref="AutomationOptions.SchedulerMaxIdle"/>.</summary>
    private async Task<TimeSpan> UntilNextDueAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT min(due_at) FROM rule_runs WHERE status = 'scheduled'");
        var next = await command.ExecuteScalarAsync(cancellationToken) as DateTime?;
        var idle = options.Value.SchedulerMaxIdle;
        if (next is null)
        {
            return idle;
        }

        var until = new DateTimeOffset(DateTime.SpecifyKind(next.Value, DateTimeKind.Utc)) - clock.GetUtcNow();
        return until <= TimeSpan.Zero ? TimeSpan.Zero : until < idle ? until : idle;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A scheduler pass failed; the next one in {Seconds} s")]
    private static partial void LogPassFailed(ILogger logger, Exception exception, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Run {RunId} of rule {RuleId} failed when it fired; recorded as failed")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, Guid runId, Guid ruleId);
}
