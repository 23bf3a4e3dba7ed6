using Pipeline.Contracts;

namespace Pipeline.Automation.Domain;

/// <param name="Episode">What the match is an instance of (see <see cref="RuleRun.Episode"/>).</param>
/// <param name="Description">What happened, in words, for the run log.</param>
/// <param name="EpisodeStartedAt">For a stale deal, the last change its episode began with.</param>
public sealed record TriggerMatch(Guid OpportunityId, Guid? QuoteId, string Episode, DateTimeOffset TriggeredAt, string Description, DateTimeOffset? EpisodeStartedAt = null);

/// <summary>Whether an event or a moment starts a rule, the same way live and in a simulation.</summary>
public static class Triggers
{
    /// <summary>A close recorded well after it happened is an import of an old deal, not a deal won or lost now.</summary>
    private static readonly TimeSpan Backdating = TimeSpan.FromMinutes(1);

    /// <summary>The trigger type an event is for; null for an event that starts no rule (an imported deal, an update).</summary>
    public static string? TypeOf(IntegrationMessage message) => message switch
    {
        StageChanged => TriggerTypes.StageChanged,
        QuoteSent => TriggerTypes.QuoteSent,
        OpportunityCreated created when !created.Imported => TriggerTypes.OpportunityCreated,
        OpportunityWon won when won.ClosedAt >= won.OccurredAt - Backdating => TriggerTypes.OpportunityWon,
        OpportunityLost lost when lost.ClosedAt >= lost.OccurredAt - Backdating => TriggerTypes.OpportunityLost,
        _ => null,
    };

    /// <summary>The match of an event-based trigger with <paramref name="message"/>, or null.</summary>
    public static TriggerMatch? Match(RuleTrigger trigger, IntegrationMessage message)
    {
        if (TypeOf(message) != trigger.Type)
        {
            return null;
        }

        var episode = $"event:{message.EventId}";
        return message switch
        {
            StageChanged moved when (trigger.FromStageId is null || trigger.FromStageId == moved.FromStageId)
                                    && (trigger.ToStageId is null || trigger.ToStageId == moved.ToStageId) =>
                new TriggerMatch(moved.OpportunityId, null, episode, moved.OccurredAt, $"Moved from {moved.FromStageName} to {moved.ToStageName}"),
            StageChanged => null,
            QuoteSent sent => new TriggerMatch(sent.OpportunityId, sent.QuoteId, episode, sent.OccurredAt,
                $"Quote {sent.QuoteNumber} ({OrganizationView.Money(sent.Amount, sent.Currency)}) was sent"),
            OpportunityCreated created => new TriggerMatch(created.OpportunityId, null, episode, created.OccurredAt, $"Created in {created.StageName}"),
            OpportunityWon won => new TriggerMatch(won.OpportunityId, null, episode, won.OccurredAt, "Won"),
            OpportunityLost lost => new TriggerMatch(lost.OpportunityId, null, episode, lost.OccurredAt, $"Lost ({lost.Reason})"),
            _ => null,
        };
    }

    /// <summary>
    /// The match of a time-based trigger with a deal at <paramref name="now"/>: the deal is stale, or its decision date
    /// is near. Its episode makes it fire once: again only after the deal is touched and rots anew, or its date moves.
    /// </summary>
    public static TriggerMatch? Due(RuleTrigger trigger, Deal deal, IEnumerable<DealActivity> activities, OrganizationView view, DateTimeOffset now)
    {
        if (!deal.IsOpen || deal.CreatedAt is null)
        {
            return null;
        }

        switch (trigger.Type)
        {
            case TriggerTypes.Stale:
                if (StaleSince(trigger, deal, activities, view) is not { } since || since > now)
                {
                    return null;
                }

                var days = RottingDays(trigger, deal, view)!.Value;
                return new TriggerMatch(deal.OpportunityId, null, StaleEpisode(deal), now,
                    $"No change or completed activity since {view.Calendar.DayOf(deal.LastTouchedAt):yyyy-MM-dd} ({days} days or more in {deal.StageName})",
                    deal.LastTouchedAt);
            case TriggerTypes.DecisionDateApproaching:
                if (deal.ExpectedDecisionDate is not { } date || trigger.DaysBefore is not { } before)
                {
                    return null;
                }

                var (from, until) = DecisionWindow(date, before, view);
                if (now < from || now >= until)
                {
                    return null;
                }

                var left = date.DayNumber - view.Calendar.DayOf(now).DayNumber;
                return new TriggerMatch(deal.OpportunityId, null, DecisionEpisode(date), now,
                    $"Expected decision on {date:yyyy-MM-dd}, {(left == 0 ? "today" : left == 1 ? "tomorrow" : $"in {left} days")}");
            default:
                return null;
        }
    }

    /// <summary>
    /// The first instant at or after <paramref name="after"/> at which <see cref="Due"/> would match the deal as it is
    /// now, or null if it never will without a change: a simulation's clock jumps straight there.
    /// </summary>
    public static DateTimeOffset? NextDue(RuleTrigger trigger, Deal deal, IEnumerable<DealActivity> activities, OrganizationView view, DateTimeOffset after)
    {
        if (!deal.IsOpen || deal.CreatedAt is null)
        {
            return null;
        }

        switch (trigger.Type)
        {
            case TriggerTypes.Stale:
                return StaleSince(trigger, deal, activities, view) is { } since ? Max(since, after) : null;
            case TriggerTypes.DecisionDateApproaching when deal.ExpectedDecisionDate is { } date && trigger.DaysBefore is { } before:
                var (from, until) = DecisionWindow(date, before, view);
                var at = Max(from, after);
                return at < until ? at : null;
            default:
                return null;
        }
    }

    /// <summary>
    /// When the deal goes (or went) stale: its rotting days after its last change, or later while an open activity
    /// is due after that (a follow-up planned in the future keeps a deal from rotting until it is due).
    /// </summary>
    public static DateTimeOffset? StaleSince(RuleTrigger trigger, Deal deal, IEnumerable<DealActivity> activities, OrganizationView view)
    {
        if (RottingDays(trigger, deal, view) is not { } days)
        {
            return null;
        }

        var since = deal.LastTouchedAt.AddDays(days);
        foreach (var activity in activities)
        {
            if (!activity.Done && activity.DueAt is { } due && due > since)
            {
                since = due;
            }
        }

        return since;
    }

    public static int? RottingDays(RuleTrigger trigger, Deal deal, OrganizationView view) =>
        trigger.Days ?? (view.Stages.TryGetValue(deal.StageId, out var stage) && stage.RottingDays > 0 ? stage.RottingDays : null);

    /// <summary>From the start of the day <paramref name="daysBefore"/> days before the date, to the end of the date, in the organisation's time zone.</summary>
    public static (DateTimeOffset From, DateTimeOffset Until) DecisionWindow(DateOnly date, int daysBefore, OrganizationView view) =>
        (view.Calendar.StartOf(date.AddDays(-daysBefore)), view.Calendar.StartOf(date.AddDays(1)));

    public static string StaleEpisode(Deal deal) => $"stale:{deal.LastTouchedAt.UtcDateTime:O}";

    public static string DecisionEpisode(DateOnly date) => $"decision:{date:yyyy-MM-dd}";

    /// <summary>
    /// Whether the deal, as it is now, is in the state the trigger reacts to, in words: for "why did this rule not fire
    /// for this deal?".
    /// </summary>
    public static (bool Satisfied, string Detail) Explain(
        RuleTrigger trigger, Deal deal, DealQuote? quote, IEnumerable<DealActivity> activities, OrganizationView view, DateTimeOffset now)
    {
        switch (trigger.Type)
        {
            case TriggerTypes.StageChanged:
                var wanted = new List<string>();
                if (trigger.FromStageId is { } from)
                {
                    wanted.Add($"from {view.StageName(from)}");
                }

                if (trigger.ToStageId is { } to)
                {
                    wanted.Add($"to {view.StageName(to)}");
                }

                var inTarget = trigger.ToStageId is null || trigger.ToStageId == deal.StageId;
                return (inTarget && deal.IsOpen,
                    $"Fires when the deal moves {string.Join(" ", wanted)}; it is {(deal.IsOpen ? "in" : $"{deal.Status}, last in")} {deal.StageName}");
            case TriggerTypes.QuoteSent:
                return quote is null
                    ? (false, "Fires when a quote is sent; no quote of this deal was sent")
                    : (quote.IsAwaitingAnswer, $"Fires when a quote is sent; quote {quote.Number} was sent on {quote.SentAt:yyyy-MM-dd} and is {quote.Status}");
            case TriggerTypes.OpportunityCreated:
                return (!deal.Imported, deal.Imported
                    ? "Fires when a deal is created; this one was imported, which starts no rule"
                    : $"Fires when a deal is created; this one was created on {deal.CreatedAt:yyyy-MM-dd}");
            case TriggerTypes.OpportunityWon:
            case TriggerTypes.OpportunityLost:
                var outcome = trigger.Type == TriggerTypes.OpportunityWon ? DealStatus.Won : DealStatus.Lost;
                return (deal.Status == outcome, $"Fires when a deal is {outcome}; this one is {deal.Status}");
            case TriggerTypes.Stale:
                if (!deal.IsOpen)
                {
                    return (false, $"Fires for open deals gone stale; this one is {deal.Status}");
                }

                if (StaleSince(trigger, deal, activities, view) is not { } since)
                {
                    return (false, $"Fires when a deal goes stale; its stage {deal.StageName} has no rotting days known here");
                }

                return since <= now
                    ? (true, $"Stale since {since:yyyy-MM-dd HH:mm} (last change {deal.LastTouchedAt:yyyy-MM-dd HH:mm})")
                    : (false, $"Not stale: it goes stale on {since:yyyy-MM-dd HH:mm} unless it changes or an activity is completed");
            case TriggerTypes.DecisionDateApproaching:
                if (deal.ExpectedDecisionDate is not { } date)
                {
                    return (false, "Fires before the expected decision date; this deal has none");
                }

                var (start, end) = DecisionWindow(date, trigger.DaysBefore ?? 0, view);
                return (deal.IsOpen && now >= start && now < end, now < start
                    ? $"Fires from {view.Calendar.DayOf(start):yyyy-MM-dd}, {trigger.DaysBefore} days before the expected decision on {date:yyyy-MM-dd}"
                    : now >= end ? $"The expected decision date {date:yyyy-MM-dd} has passed" : $"Within {trigger.DaysBefore} days of the expected decision on {date:yyyy-MM-dd}");
            default:
                return (false, $"Unknown trigger {trigger.Type}");
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
