using Pipeline.Contracts;
using Pipeline.Messaging.Organizations;

namespace Pipeline.Automation.Domain;

/// <summary>
/// Replays an organisation's recorded events through one rule, with no side effect: what the rule would have done
/// in a period. The view of the deals is built from the whole history (a deal's state when the period starts
/// counts), with the same code as the live consumers, and the rule is evaluated with the same engine. Time follows
/// each deal's own events: a delayed action, or the moment a deal goes stale or nears its decision date, is settled
/// just before the deal's next event that happened after it (or at the end), so that it sees the deal exactly as it
/// was then. (A deal's events are recorded in the order they happened, but not all deals' together: an import
/// records each deal's whole journey, with its old dates, one deal after the other.) A delayed action triggered in
/// the period settles with the events that followed, after the period too.
/// </summary>
public sealed class Simulation
{
    private readonly ActiveRule _rule;
    private readonly DateTimeOffset _from;
    private readonly DateTimeOffset _to;
    private readonly DateTimeOffset _now;
    private readonly OrganizationProfile _profile;
    private readonly IReadOnlyDictionary<string, SalesUser> _users;
    private readonly Dictionary<Guid, Deal> _deals = [];
    private readonly Dictionary<Guid, DealQuote> _quotes = [];
    private readonly Dictionary<Guid, List<DealActivity>> _activities = [];
    private readonly Dictionary<Guid, PipelineStage> _stages;
    private readonly List<ExchangeRate> _rates;
    /// <summary>Per deal, what is due later: a delayed run, or (a null run) a moment to check a time-based trigger.</summary>
    private readonly Dictionary<Guid, PriorityQueue<RuleRun?, DateTimeOffset>> _due = [];
    private readonly HashSet<(Guid Deal, string Episode)> _episodes = [];
    private readonly List<RuleRun> _runs = [];
    private OrganizationView? _view;

    /// <param name="stages">The stages known now: the history's pipeline events update them.</param>
    /// <param name="rates">The rates known now: the history's rate events update them.</param>
    public Simulation(
        ActiveRule rule, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now, OrganizationProfile profile,
        IReadOnlyDictionary<string, SalesUser> users, IEnumerable<PipelineStage> stages, IEnumerable<ExchangeRate> rates)
    {
        _rule = rule with { Since = null };
        _from = from;
        _to = to;
        _now = now;
        _profile = profile;
        _users = users;
        _stages = stages.ToDictionary(s => s.StageId);
        _rates = rates.ToList();
    }

    public int EventsRead { get; private set; }

    private RuleTrigger Trigger => _rule.Definition.Trigger;

    private OrganizationView View => _view ??= new OrganizationView(_profile, ExchangeRates.Table(_rates, _profile.Currency), _stages, _users);

    /// <summary>Applies the next recorded event (in the order the opportunity service wrote them).</summary>
    public void Apply(IntegrationMessage message)
    {
        EventsRead++;
        switch (message)
        {
            case PipelineChanged pipeline:
                PipelineStages.Apply(pipeline, _stages.Values.Where(s => s.PipelineId == pipeline.PipelineId).ToList(), s => _stages[s.StageId] = s);
                _view = null;
                return;
            case ExchangeRateChanged rate:
                ExchangeRates.Apply(rate, _rates.ToList(), _rates.Add, r => _rates.Remove(r));
                _view = null;
                return;
            case OpportunityEvent or QuoteEvent or ActivityScheduled or ActivityCompleted:
                break;
            default:
                return;
        }

        var opportunityId = DealEventEvaluator.OpportunityOf(message);
        if (!_deals.TryGetValue(opportunityId, out var deal))
        {
            deal = Deal.Unknown(_profile.OrganizationId, opportunityId);
            _deals[opportunityId] = deal;
        }

        Settle(deal, message.OccurredAt);
        DealQuote? quote = null;
        switch (message)
        {
            case OpportunityEvent change:
                deal.Apply(change);
                break;
            case QuoteEvent quoteEvent:
                if (!_quotes.TryGetValue(quoteEvent.QuoteId, out quote))
                {
                    quote = new DealQuote { QuoteId = quoteEvent.QuoteId, OrganizationId = _profile.OrganizationId, OpportunityId = opportunityId };
                    _quotes[quote.QuoteId] = quote;
                }

                quote.Apply(quoteEvent);
                break;
            case ActivityScheduled scheduled:
                Activity(opportunityId, scheduled.ActivityId).Apply(scheduled);
                break;
            case ActivityCompleted completed:
                Activity(opportunityId, completed.ActivityId).Apply(completed);
                deal.Touch(completed.CompletedAt);
                break;
        }

        if (TriggerTypes.IsTimeBased(Trigger.Type))
        {
            ScheduleCheck(deal, message.OccurredAt);
        }
        else if (message.OccurredAt >= _from && message.OccurredAt < _to && RuleEngine.OnEvent(_rule, message, deal, quote, View, message.OccurredAt) is { } run)
        {
            Record(run, counted: true, message.OccurredAt);
        }
    }

    /// <summary>Settles what is due up to now (the end of the history) and returns the runs triggered in the period.</summary>
    public IReadOnlyList<RuleRun> Finish()
    {
        foreach (var deal in _due.Keys.ToList())
        {
            Settle(_deals[deal], _now);
        }

        return _runs;
    }

    /// <summary>What was due for the deal up to <paramref name="until"/>, in time order, on the deal as it was then.</summary>
    private void Settle(Deal deal, DateTimeOffset until)
    {
        if (!_due.TryGetValue(deal.OpportunityId, out var due))
        {
            return;
        }

        while (due.TryPeek(out var run, out var at) && at <= until)
        {
            due.Dequeue();
            if (run is null)
            {
                Check(deal, at);
            }
            else
            {
                Fire(run);
            }
        }
    }

    /// <summary>A time-based trigger: does the deal, as it is at this moment, match? Once per episode.</summary>
    private void Check(Deal deal, DateTimeOffset at)
    {
        var activities = _activities.GetValueOrDefault(deal.OpportunityId) ?? [];
        if (Triggers.Due(Trigger, deal, activities, View, at) is not { } match || !_episodes.Add((deal.OpportunityId, match.Episode)))
        {
            return;
        }

        if (RuleEngine.OnMatch(_rule, match, deal, null, View, at) is { } run)
        {
            Record(run, counted: at >= _from, at);
        }
        else
        {
            _episodes.Remove((deal.OpportunityId, match.Episode)); // live tries again at its next pass: so does an event here
        }
    }

    private void ScheduleCheck(Deal deal, DateTimeOffset after)
    {
        var activities = _activities.GetValueOrDefault(deal.OpportunityId) ?? [];
        if (Triggers.NextDue(Trigger, deal, activities, View, after) is { } at && at < _to && at <= _now)
        {
            Enqueue(deal.OpportunityId, null, at);
        }
    }

    private void Record(RuleRun run, bool counted, DateTimeOffset now)
    {
        if (counted)
        {
            _runs.Add(run);
        }

        if (run.Status != RunStatus.Scheduled)
        {
            return;
        }

        if (run.DueAt <= now)
        {
            Fire(run);
        }
        else if (run.DueAt <= _now)
        {
            Enqueue(run.OpportunityId, run, run.DueAt);
        }
    }

    private void Enqueue(Guid opportunityId, RuleRun? run, DateTimeOffset at)
    {
        if (!_due.TryGetValue(opportunityId, out var due))
        {
            due = new PriorityQueue<RuleRun?, DateTimeOffset>();
            _due[opportunityId] = due;
        }

        due.Enqueue(run, at);
    }

    private void Fire(RuleRun run)
    {
        var quote = run.QuoteId is { } quoteId ? _quotes.GetValueOrDefault(quoteId) : null;
        var activities = _activities.GetValueOrDefault(run.OpportunityId) ?? [];
        RuleEngine.Fire(_rule, run, _deals.GetValueOrDefault(run.OpportunityId), quote, activities.Where(a => !a.Done).ToList(), View, run.DueAt);
    }

    private DealActivity Activity(Guid opportunityId, Guid activityId)
    {
        if (!_activities.TryGetValue(opportunityId, out var list))
        {
            list = [];
            _activities[opportunityId] = list;
        }

        var activity = list.FirstOrDefault(a => a.ActivityId == activityId);
        if (activity is null)
        {
            activity = new DealActivity { ActivityId = activityId, OrganizationId = _profile.OrganizationId, OpportunityId = opportunityId };
            list.Add(activity);
        }

        return activity;
    }

    /// <summary>The deal's title as the history last described it.</summary>
    public string? TitleOf(Guid opportunityId) => _deals.GetValueOrDefault(opportunityId)?.Title;
}
