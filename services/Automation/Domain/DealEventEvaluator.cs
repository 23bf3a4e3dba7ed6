using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using Pipeline.Automation.Infrastructure;
using Pipeline.Contracts;
using Pipeline.Messaging;

namespace Pipeline.Automation.Domain;

/// <summary>
/// The live path for deal events: applies a batch of one organisation's events to the service's view of its deals,
/// quotes and activities, then evaluates the rules each event can start (an event about a deal whose creation has
/// not arrived yet waits for it: <see cref="DeferredTrigger"/>). A run whose actions are due at once fires
/// in the same transaction (its commands go to the outbox with it); a delayed one waits for the scheduler. Called
/// inside the inbox's transaction, so the view, the runs and the commands commit together with the handled ids.
/// </summary>
public sealed partial class DealEventEvaluator(
    AutomationDbContext db, RuleCache rules, IMemoryCache cache, TimeProvider clock, AutomationTelemetry telemetry, ILogger<DealEventEvaluator> logger)
{
    public async Task ApplyAsync(Guid organizationId, IReadOnlyList<IntegrationMessage> events, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var opportunityIds = events.Select(OpportunityOf).Distinct().Order().ToArray();
        var deals = await LockDealsAsync(organizationId, opportunityIds, cancellationToken);
        var created = events.OfType<OpportunityCreated>().Select(c => c.OpportunityId).ToList();
        var deferred = created.Count == 0
            ? Enumerable.Empty<DeferredTrigger>().ToLookup(d => d.OpportunityId)
            : (await db.DeferredTriggers.Where(d => created.Contains(d.OpportunityId)).ToListAsync(cancellationToken)).ToLookup(d => d.OpportunityId);
        var quoteIds = events.OfType<QuoteEvent>().Select(q => q.QuoteId)
            .Concat(deferred.SelectMany(d => d).Select(Deserialize).OfType<QuoteEvent>().Select(q => q.QuoteId)).Distinct().ToList();
        var quotes = quoteIds.Count == 0
            ? []
            : await db.Quotes.Where(q => quoteIds.Contains(q.QuoteId)).ToDictionaryAsync(q => q.QuoteId, cancellationToken);
        var activityIds = events.Select(e => e switch { ActivityScheduled s => s.ActivityId, ActivityCompleted c => c.ActivityId, _ => Guid.Empty })
            .Where(id => id != Guid.Empty).Distinct().ToList();
        var activities = activityIds.Count == 0
            ? []
            : await db.Activities.Where(a => activityIds.Contains(a.ActivityId)).ToDictionaryAsync(a => a.ActivityId, cancellationToken);

        var enabled = await rules.ForAsync(db, organizationId, cancellationToken);
        OrganizationView? view = null;
        var now = clock.GetUtcNow();
        // In the order things happened, a deal's creation first: each rule sees the deal as it was at its trigger.
        foreach (var message in events.OrderBy(e => e is OpportunityCreated ? 0 : 1).ThenBy(e => e.OccurredAt))
        {
            var opportunityId = OpportunityOf(message);
            var deal = deals[opportunityId];
            var quote = Apply(message, deal);
            await EvaluateAsync(message, deal, quote);
            if (message is OpportunityCreated)
            {
                // What waited for the deal's creation starts its rules now, in the order it happened.
                foreach (var waiting in deferred[opportunityId].OrderBy(d => d.OccurredAt))
                {
                    var earlier = Deserialize(waiting);
                    await EvaluateAsync(earlier, deal, earlier is QuoteEvent q ? quotes.GetValueOrDefault(q.QuoteId) : null);
                    db.DeferredTriggers.Remove(waiting);
                }
            }
        }

        telemetry.Evaluated(Stopwatch.GetElapsedTime(started), events.Count);

        DealQuote? Apply(IntegrationMessage message, Deal deal)
        {
            switch (message)
            {
                case OpportunityEvent change:
                    deal.Apply(change);
                    return null;
                case QuoteEvent quoteEvent:
                    if (!quotes.TryGetValue(quoteEvent.QuoteId, out var quote))
                    {
                        quote = new DealQuote { QuoteId = quoteEvent.QuoteId, OrganizationId = organizationId, OpportunityId = deal.OpportunityId };
                        quotes[quote.QuoteId] = quote;
                        db.Quotes.Add(quote);
                    }

                    quote.Apply(quoteEvent);
                    return quote;
                case ActivityScheduled scheduled:
                    Activity(scheduled.ActivityId).Apply(scheduled);
                    return null;
                case ActivityCompleted completed:
                    Activity(completed.ActivityId).Apply(completed);
                    deal.Touch(completed.CompletedAt);
                    return null;
                default:
                    return null;
            }
        }

        async Task EvaluateAsync(IntegrationMessage message, Deal deal, DealQuote? quote)
        {
            if (Triggers.TypeOf(message) is not { } type || enabled.For(type) is not { Count: > 0 } ofType)
            {
                return;
            }

            // Only rules that existed when it happened: an imported deal's journey, replayed with its old dates, starts none.
            var candidates = ofType.Where(r => Triggers.Match(r.Definition.Trigger, message) is { } match && (r.Since is null || match.TriggeredAt >= r.Since)).ToList();
            if (candidates.Count == 0)
            {
                return;
            }

            if (deal.CreatedAt is null)
            {
                db.DeferredTriggers.Add(new DeferredTrigger
                {
                    EventId = message.EventId, OrganizationId = organizationId, OpportunityId = deal.OpportunityId, Type = message.GetType().Name,
                    Body = JsonSerializer.Serialize(message, message.GetType(), MessageSerialization.Options), OccurredAt = message.OccurredAt,
                });
                return;
            }

            view ??= await OrganizationViews.LoadAsync(db, cache, cancellationToken);
            foreach (var rule in candidates)
            {
                Evaluate(rule, message, deal, quote, view, now);
            }
        }

        DealActivity Activity(Guid activityId)
        {
            if (!activities.TryGetValue(activityId, out var activity))
            {
                activity = new DealActivity { ActivityId = activityId, OrganizationId = organizationId };
                activities[activityId] = activity;
                db.Activities.Add(activity);
            }

            return activity;
        }
    }

    private static IntegrationMessage Deserialize(DeferredTrigger deferred) =>
        (IntegrationMessage)JsonSerializer.Deserialize(deferred.Body, MessageSerialization.ResolveType($"{typeof(IntegrationMessage).Namespace}.{deferred.Type}")!,
            MessageSerialization.Options)!;

    /// <summary>One rule on one event. A rule that throws records a failed run and stops no other rule nor event.</summary>
    private void Evaluate(ActiveRule rule, IntegrationMessage message, Deal deal, DealQuote? quote, OrganizationView view, DateTimeOffset now)
    {
        RuleRun? run;
        try
        {
            run = RuleEngine.OnEvent(rule, message, deal, quote, view, now);
            if (run is null)
            {
                return;
            }

            if (run.Status == RunStatus.Scheduled && run.DueAt <= now)
            {
                foreach (var command in RuleEngine.Fire(rule, run, deal, quote, [], view, now))
                {
                    db.Publish(command);
                }
            }
        }
        catch (Exception exception) when (exception is not (DbUpdateException or OperationCanceledException))
        {
            LogRuleFailed(logger, exception, rule.Id, message.EventId);
            run = RuleEngine.Failed(rule, new TriggerMatch(deal.OpportunityId, (message as QuoteEvent)?.QuoteId, $"event:{message.EventId}",
                message.OccurredAt, message.GetType().Name), deal, exception, now);
        }

        db.Runs.Add(run);
        telemetry.RunRecorded(run.Status);
    }

    /// <summary>
    /// The deals the events are about, created empty when unknown yet, and locked until the transaction ends: two
    /// events of one deal handled at once (by two consumers or replicas) apply one after the other, neither
    /// overwriting the other's change. Locked in id order, so that two batches never wait for each other in a cycle.
    /// </summary>
    private async Task<Dictionary<Guid, Deal>> LockDealsAsync(Guid organizationId, Guid[] opportunityIds, CancellationToken cancellationToken)
    {
        var unknown = Deal.Unknown(organizationId, Guid.Empty);
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO deals (opportunity_id, organization_id, pipeline_id, stage_id, amount, probability, status, imported, last_touched_at,
                               version, details_version, money_version, stage_version, status_version, decision_date_version, probability_version)
            SELECT id, {organizationId}, {unknown.PipelineId}, {unknown.StageId}, 0, 0, {unknown.Status}, false, {unknown.LastTouchedAt}, 0, 0, 0, 0, 0, 0, 0
            FROM unnest({opportunityIds}) AS id ORDER BY id
            ON CONFLICT (opportunity_id) DO NOTHING
            """, cancellationToken);
        return await db.Deals.FromSql($"""
                SELECT * FROM deals WHERE organization_id = {organizationId} AND opportunity_id = ANY({opportunityIds}) ORDER BY opportunity_id FOR UPDATE
                """)
            .IgnoreQueryFilters().ToDictionaryAsync(d => d.OpportunityId, cancellationToken);
    }

    public static Guid OpportunityOf(IntegrationMessage message) => message switch
    {
        OpportunityEvent e => e.OpportunityId,
        QuoteEvent q => q.OpportunityId,
        ActivityScheduled s => s.OpportunityId,
        ActivityCompleted c => c.OpportunityId,
        _ => throw new ArgumentException($"{message.GetType().Name} is not about a deal", nameof(message)),
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Rule {RuleId} failed on event {EventId}; a failed run is recorded")]
    private static partial void LogRuleFailed(ILogger logger, Exception exception, Guid ruleId, Guid eventId);
}
