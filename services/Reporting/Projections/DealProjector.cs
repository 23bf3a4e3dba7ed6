using System.Globalization;
using Pipeline.Contracts;
using Pipeline.Reporting.Domain;

namespace Pipeline.Reporting.Projections;

/// <summary>
/// Computes a deal's read model (its facts, its stays in stages and the changes the pipeline review lists) from all
/// its events, in version order,
/// whatever order they arrived in. The same events always give the same result: replaying them twice, shuffled,
/// or in a rebuild changes nothing. Pure: no database.
/// </summary>
public static class DealProjector
{
    public sealed record Projection(Deal Deal, IReadOnlyList<StageInterval> Intervals, IReadOnlyList<DealChange> Changes);

    // Events of one change share its version: apply them in the order the change made them.
    private static readonly Dictionary<Type, int> OrderWithinVersion = new()
    {
        [typeof(OpportunityCreated)] = 0,
        [typeof(OpportunityUpdated)] = 1,
        [typeof(DecisionDateChanged)] = 2,
        [typeof(StageChanged)] = 3,
        [typeof(OpportunityWon)] = 4,
        [typeof(OpportunityLost)] = 4,
        [typeof(OpportunityReopened)] = 5,
    };

    /// <summary>The read model, or null while the deal's creation has not arrived yet.</summary>
    public static Projection? Project(Guid organizationId, int generation, Guid opportunityId, IEnumerable<IntegrationMessage> events)
    {
        var all = events.DistinctBy(e => e.EventId).ToList();
        if (all.OfType<OpportunityCreated>().FirstOrDefault() is not { } created)
        {
            return null;
        }

        var deal = new Deal { OrganizationId = organizationId, Generation = generation, OpportunityId = opportunityId };
        var intervals = new List<StageInterval>();
        StageInterval? current = null;

        void Enter(Guid pipelineId, Guid stageId, DateTimeOffset at)
        {
            current = new StageInterval
            {
                OrganizationId = organizationId, Generation = generation, OpportunityId = opportunityId, PipelineId = pipelineId, StageId = stageId, EnteredAt = at,
            };
            intervals.Add(current);
        }

        void Leave(DateTimeOffset at, string exit)
        {
            if (current is not null)
            {
                current.ExitedAt = at < current.EnteredAt ? current.EnteredAt : at;
                current.Exit = exit;
                current = null;
            }
        }

        var changes = new List<DealChange>();
        var versioned = all.OfType<OpportunityEvent>()
            .OrderBy(e => e.Version).ThenBy(e => OrderWithinVersion.GetValueOrDefault(e.GetType(), 9)).ThenBy(e => e.OccurredAt);
        foreach (var @event in versioned)
        {
            var before = Figures.Of(deal);
            deal.LastVersion = Math.Max(deal.LastVersion, @event.Version);
            switch (@event)
            {
                case OpportunityCreated c:
                    deal.PipelineId = c.PipelineId;
                    deal.StageId = c.StageId;
                    deal.Title = c.Title;
                    SetFigures(deal, c.Amount, c.Currency, c.OwnerId, c.TeamId);
                    deal.Probability = c.Probability;
                    deal.Segment = c.Segment;
                    deal.Source = c.Source;
                    deal.ExpectedDecisionDate = c.ExpectedDecisionDate;
                    deal.CreatedAt = c.CreatedAt;
                    deal.LastTouchedAt = c.CreatedAt;
                    Enter(c.PipelineId, c.StageId, c.CreatedAt);
                    break;
                case OpportunityUpdated u:
                    deal.Title = u.Title;
                    SetFigures(deal, u.Amount, u.Currency, u.OwnerId, u.TeamId);
                    deal.Probability = u.Probability;
                    deal.Segment = u.Segment;
                    deal.Source = u.Source;
                    deal.ExpectedDecisionDate = u.ExpectedDecisionDate;
                    Touch(deal, u.OccurredAt);
                    break;
                case DecisionDateChanged d:
                    deal.ExpectedDecisionDate = d.NewDate;
                    if (d is { PreviousDate: { } previous, NewDate: { } next } && next > previous)
                    {
                        deal.PushCount++;
                        deal.PushedDays += next.DayNumber - previous.DayNumber;
                    }

                    Touch(deal, d.OccurredAt);
                    break;
                case StageChanged s:
                    Leave(s.OccurredAt, "moved");
                    Enter(s.PipelineId, s.ToStageId, s.OccurredAt);
                    deal.StageId = s.ToStageId;
                    deal.PipelineId = s.PipelineId;
                    deal.Probability = s.Probability;
                    SetFigures(deal, s.Amount, s.Currency, s.OwnerId, s.TeamId);
                    Touch(deal, s.OccurredAt);
                    break;
                case OpportunityWon w:
                    Leave(w.ClosedAt, "won");
                    deal.Status = "won";
                    deal.ClosedAt = w.ClosedAt;
                    deal.LostReason = null;
                    SetFigures(deal, w.Amount, w.Currency, w.OwnerId, w.TeamId);
                    break;
                case OpportunityLost l:
                    Leave(l.ClosedAt, "lost");
                    deal.Status = "lost";
                    deal.ClosedAt = l.ClosedAt;
                    deal.LostReason = l.Reason;
                    SetFigures(deal, l.Amount, l.Currency, l.OwnerId, l.TeamId);
                    break;
                case OpportunityReopened r:
                    deal.Status = "open";
                    deal.ClosedAt = null;
                    deal.LostReason = null;
                    deal.StageId = r.StageId;
                    deal.Probability = r.Probability;
                    Enter(r.PipelineId, r.StageId, r.OccurredAt);
                    Touch(deal, r.OccurredAt);
                    break;
            }

            changes.AddRange(ChangesOf(@event, before, deal));
        }

        foreach (var completed in all.OfType<ActivityCompleted>())
        {
            Touch(deal, completed.CompletedAt);
        }

        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i];
            change.Sequence = i;
            change.PipelineId = deal.PipelineId;
            change.OwnerId = deal.OwnerId;
            change.TeamId = deal.TeamId;
            change.Segment = deal.Segment;
            change.Source = deal.Source;
        }

        return new Projection(deal, intervals, changes);
    }

    /// <summary>A deal's figures: its amount and currency, whether it is open, its probability.</summary>
    private readonly record struct Figures(string Currency, decimal Amount, bool Open, int Probability)
    {
        /// <summary>What the deal adds to the open pipeline: its amount while open, else nothing.</summary>
        public decimal OpenAmount => Open ? Amount : 0;

        public decimal WeightedAmount => OpenAmount * Probability / 100m;

        public static Figures Of(Deal deal) => new(deal.Currency, deal.Amount, deal.Status == "open", deal.Probability);
    }

    /// <summary>
    /// The changes one event made to <paramref name="deal"/> (now as after it), as the pipeline review lists them. The
    /// first carries what the event moved the open and weighted pipeline by, any other nothing, so that a window's
    /// changes add up to what the pipeline moved by. An update is compared with the deal before
    /// it (amount, currency, probability), so a redelivered or reordered update changes nothing twice.
    /// </summary>
    private static IEnumerable<DealChange> ChangesOf(OpportunityEvent @event, Figures before, Deal deal)
    {
        var after = Figures.Of(deal);
        var first = true;
        DealChange Change(string kind, DateTimeOffset at, string? from, string? to, Guid? fromStage = null, Guid? toStage = null, decimal? amountDelta = null)
        {
            // Before its creation a deal is worth nothing, in the currency it is created in.
            var previous = first ? before with { Currency = before.Currency == "" ? after.Currency : before.Currency } : after;
            var currencyChanged = previous.Currency != after.Currency;
            first = false;
            return new DealChange
            {
                OrganizationId = deal.OrganizationId, Generation = deal.Generation, OpportunityId = deal.OpportunityId, Version = @event.Version,
                Kind = kind, At = at.ToUniversalTime(), FromValue = from, ToValue = to, FromStageId = fromStage, ToStageId = toStage, AmountDelta = amountDelta,
                Currency = after.Currency,
                OpenDelta = after.OpenAmount - (currencyChanged ? 0 : previous.OpenAmount),
                WeightedDelta = after.WeightedAmount - (currencyChanged ? 0 : previous.WeightedAmount),
                PreviousCurrency = previous.Currency,
                RemovedOpenAmount = currencyChanged ? previous.OpenAmount : 0,
                RemovedWeightedAmount = currencyChanged ? previous.WeightedAmount : 0,
            };
        }

        switch (@event)
        {
            case OpportunityCreated c:
                yield return Change(ChangeKind.Created, c.CreatedAt, null, c.StageName, toStage: c.StageId);
                break;
            case OpportunityUpdated u when before.Currency != after.Currency && before.Currency != "":
                yield return Change(ChangeKind.CurrencyChanged, u.OccurredAt, $"{Text(before.Amount)} {before.Currency}", $"{Text(after.Amount)} {after.Currency}");
                break;
            case OpportunityUpdated u:
                if (after.Amount != before.Amount)
                {
                    var delta = after.Amount - before.Amount;
                    yield return Change(delta > 0 ? ChangeKind.AmountUp : ChangeKind.AmountDown, u.OccurredAt,
                        Text(before.Amount), Text(after.Amount), amountDelta: delta);
                }

                if (before.Probability != after.Probability)
                {
                    yield return Change(ChangeKind.ProbabilityChanged, u.OccurredAt, Text(before.Probability), Text(after.Probability));
                }

                break;
            case DecisionDateChanged { PreviousDate: { } previous, NewDate: { } next } d when previous != next:
                yield return Change(next > previous ? ChangeKind.Pushed : ChangeKind.Pulled, d.OccurredAt, Text(previous), Text(next));
                break;
            case StageChanged s:
                yield return Change(ChangeKind.Moved, s.OccurredAt, s.FromStageName, s.ToStageName, s.FromStageId, s.ToStageId);
                break;
            case OpportunityWon w:
                yield return Change(ChangeKind.Won, w.ClosedAt, null, null, fromStage: w.StageId);
                break;
            case OpportunityLost l:
                yield return Change(ChangeKind.Lost, l.ClosedAt, null, l.Reason, fromStage: l.StageId);
                break;
            case OpportunityReopened r:
                yield return Change(ChangeKind.Reopened, r.OccurredAt, r.PreviousStatus, r.StageName, toStage: r.StageId);
                break;
        }
    }

    private static string Text(decimal amount) => amount.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Text(int probability) => probability.ToString(CultureInfo.InvariantCulture);

    private static string Text(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static void SetFigures(Deal deal, decimal amount, string currency, string ownerId, Guid? teamId)
    {
        deal.Amount = amount;
        deal.Currency = currency.Trim();
        deal.OwnerId = ownerId;
        deal.TeamId = teamId;
    }

    private static void Touch(Deal deal, DateTimeOffset at)
    {
        if (at > deal.LastTouchedAt)
        {
            deal.LastTouchedAt = at;
        }
    }
}
