using Pipeline.Contracts;

namespace Pipeline.Automation.Domain;

/// <summary>
/// A rule as the engine evaluates it: a saved rule, or the body of a simulation. <see cref="Since"/> is when it came
/// into being: a saved rule does not react to what happened before it existed; a simulated one has no such bound.
/// </summary>
public sealed record ActiveRule(Guid Id, long Version, string Name, RuleDefinition Definition, DateTimeOffset? Since)
{
    public static ActiveRule Of(AutomationRule rule) => new(rule.Id, rule.Version, rule.Name, rule.Definition, rule.CreatedAt);
}

/// <summary>
/// The evaluation of rules, shared by the live path (consumers, time triggers, the scheduler) and the simulation:
/// a trigger that matched and conditions that hold make a run; when the run is due, the deal is checked again and
/// the actions fire, or the run is skipped with the reason.
/// </summary>
public static class RuleEngine
{
    /// <summary>The run an event starts for a rule, or null when the trigger does not match or a condition does not hold.</summary>
    public static RuleRun? OnEvent(ActiveRule rule, IntegrationMessage message, Deal deal, DealQuote? quote, OrganizationView view, DateTimeOffset now)
    {
        if (Triggers.Match(rule.Definition.Trigger, message) is not { } match || (rule.Since is { } since && match.TriggeredAt < since))
        {
            return null;
        }

        return OnMatch(rule, match, deal, quote, view, now);
    }

    /// <summary>
    /// A run for a trigger that matched, when the conditions hold (they are checked on the deal as it is at the
    /// trigger); a failed run when one cannot be checked; null when one does not hold (no run: "explain" tells why).
    /// </summary>
    public static RuleRun? OnMatch(ActiveRule rule, TriggerMatch match, Deal deal, DealQuote? quote, OrganizationView view, DateTimeOffset now)
    {
        var outcomes = Conditions.Check(rule.Definition.Conditions, deal, quote, view, match.TriggeredAt);
        if (outcomes.FirstOrDefault(o => o.Undecidable) is { } undecidable)
        {
            return NewRun(rule, match, deal, now, RunStatus.Failed, undecidable.Explanation, settled: true);
        }

        if (Conditions.FirstFailure(outcomes) is not null)
        {
            return null;
        }

        var due = match.TriggeredAt + rule.Definition.Delay;
        return NewRun(rule, match, deal, now, RunStatus.Scheduled, $"Conditions met; actions due {due:yyyy-MM-dd HH:mm:ss} UTC", settled: false);
    }

    /// <summary>
    /// Settles a due run: checks again that the deal still qualifies (the quote still unanswered, the deal still open
    /// and in the stage, the conditions still true), then plans the actions. Returns the messages to publish (none
    /// when skipped or failed); the run says what happened and why.
    /// </summary>
    public static IReadOnlyList<IntegrationMessage> Fire(
        ActiveRule rule, RuleRun run, Deal? deal, DealQuote? quote, IReadOnlyList<DealActivity> activities, OrganizationView view, DateTimeOffset now)
    {
        if (WhyNot(rule.Definition, run, deal, quote, activities, view, now) is { } verdict)
        {
            Settle(run, verdict.Status, verdict.Reason, now);
            return [];
        }

        var plan = ActionPlan.Build(rule, run, deal!, quote, view, now);
        if (plan.Failure is not null)
        {
            Settle(run, RunStatus.Failed, plan.Failure, now);
            return [];
        }

        Settle(run, RunStatus.Fired, $"{run.Trigger}; {plan.Summary}", now);
        run.FiredAt = now;
        return plan.Messages;
    }

    public static void Settle(RuleRun run, string status, string reason, DateTimeOffset now)
    {
        run.Status = status;
        run.Reason = reason;
        run.SettledAt = now;
    }

    /// <summary>Why a due run must not fire now (skipped, or failed when a condition cannot be checked); null when it may.</summary>
    public static (string Status, string Reason)? WhyNot(
        RuleDefinition definition, RuleRun run, Deal? deal, DealQuote? quote, IReadOnlyList<DealActivity> activities, OrganizationView view, DateTimeOffset now)
    {
        if (deal is null)
        {
            return (RunStatus.Skipped, "The opportunity is no longer known");
        }

        switch (run.TriggerType)
        {
            case TriggerTypes.OpportunityWon when deal.Status != DealStatus.Won:
            case TriggerTypes.OpportunityLost when deal.Status != DealStatus.Lost:
                return (RunStatus.Skipped, $"The opportunity was reopened meanwhile (it is {deal.Status})");
            case TriggerTypes.OpportunityWon or TriggerTypes.OpportunityLost:
                break;
            default:
                if (!deal.IsOpen)
                {
                    return (RunStatus.Skipped, $"The opportunity was {deal.Status} meanwhile");
                }

                break;
        }

        switch (run.TriggerType)
        {
            case TriggerTypes.QuoteSent when quote is null:
                return (RunStatus.Skipped, "The quote is no longer known");
            case TriggerTypes.QuoteSent when !quote.IsAwaitingAnswer:
                return (RunStatus.Skipped, $"Quote {quote.Number} was {quote.Status} meanwhile");
            case TriggerTypes.StageChanged when definition.Trigger.ToStageId is { } stage && deal.StageId != stage:
                return (RunStatus.Skipped, $"The opportunity left {view.StageName(stage)} meanwhile (it is in {deal.StageName})");
            case TriggerTypes.Stale when run.Episode != Triggers.StaleEpisode(deal):
                return (RunStatus.Skipped, "The opportunity changed or had an activity completed since it went stale");
            case TriggerTypes.Stale when Triggers.StaleSince(definition.Trigger, deal, activities, view) is not { } since || since > now:
                return (RunStatus.Skipped, "An activity due in the future was planned since it went stale");
            case TriggerTypes.DecisionDateApproaching when run.Episode != (deal.ExpectedDecisionDate is { } date ? Triggers.DecisionEpisode(date) : ""):
                return (RunStatus.Skipped, $"The expected decision date moved to {deal.ExpectedDecisionDate?.ToString("yyyy-MM-dd") ?? "none"} meanwhile");
        }

        var outcomes = Conditions.Check(definition.Conditions, deal, quote, view, now);
        if (outcomes.FirstOrDefault(o => o.Undecidable) is { } undecidable)
        {
            return (RunStatus.Failed, undecidable.Explanation);
        }

        return Conditions.FirstFailure(outcomes) is { } failure ? (RunStatus.Skipped, $"No longer true: {failure.Explanation}") : null;
    }

    /// <summary>A run of a rule that threw on this match: recorded as failed, so that it blocks no other rule nor deal.</summary>
    public static RuleRun Failed(ActiveRule rule, TriggerMatch match, Deal deal, Exception exception, DateTimeOffset now) =>
        NewRun(rule, match, deal, now, RunStatus.Failed, $"The rule failed: {exception.Message}", settled: true);

    private static RuleRun NewRun(ActiveRule rule, TriggerMatch match, Deal deal, DateTimeOffset now, string status, string reason, bool settled) => new()
    {
        Id = Guid.NewGuid(),
        OrganizationId = deal.OrganizationId,
        RuleId = rule.Id,
        RuleVersion = rule.Version,
        OpportunityId = match.OpportunityId,
        QuoteId = match.QuoteId,
        TriggerType = rule.Definition.Trigger.Type,
        Episode = match.Episode,
        EpisodeStartedAt = match.EpisodeStartedAt,
        Trigger = match.Description,
        Status = status,
        Reason = reason,
        TriggeredAt = match.TriggeredAt,
        DueAt = match.TriggeredAt + rule.Definition.Delay,
        SettledAt = settled ? now : null,
        TraceParent = System.Diagnostics.Activity.Current?.Id,
        CreatedAt = now,
    };
}
