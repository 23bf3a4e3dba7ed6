using Pipeline.Contracts;
using Pipeline.Reporting.Domain;

namespace Pipeline.Reporting.Projections;

/// <summary>
/// Computes a deal's read model (its facts and its stays in stages) from all its events, in version order,
/// whatever order they arrived in. The same events always give the same result: replaying them twice, shuffled,
/// or in a rebuild changes nothing. Pure: no database.
/// </summary>
public static class DealProjector
{
    public sealed record Projection(Deal Deal, IReadOnlyList<StageInterval> Intervals);

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

        var versioned = all.OfType<OpportunityEvent>()
            .OrderBy(e => e.Version).ThenBy(e => OrderWithinVersion.GetValueOrDefault(e.GetType(), 9)).ThenBy(e => e.OccurredAt);
        foreach (var @event in versioned)
        {
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
        }

        foreach (var completed in all.OfType<ActivityCompleted>())
        {
            Touch(deal, completed.CompletedAt);
        }

        return new Projection(deal, intervals);
    }

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
