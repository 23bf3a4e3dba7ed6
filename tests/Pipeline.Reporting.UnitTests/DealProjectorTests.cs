using Pipeline.Contracts;
using Pipeline.Reporting.Domain;
using Pipeline.Reporting.Projections;

namespace Pipeline.Reporting.UnitTests;

/// <summary>A deal's read model is computed from its whole log: any order, any duplicate, the same deal and stays.</summary>
public sealed class DealProjectorTests
{
    internal static readonly Guid Organization = Guid.NewGuid();
    internal static readonly Guid Pipeline = Guid.NewGuid();
    internal static readonly Guid Opportunity = Guid.NewGuid();
    internal static readonly Guid[] Stages = [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()];
    internal static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Created in the first stage on day 0, moved to the second on day 3 and the third on day 10, decision pushed on
    /// day 11 by 20 days, lost on day 12, reopened on day 14 (back in the third stage), amount raised on day 15,
    /// won on day 20; an activity completed on day 21.
    /// </summary>
    internal static List<IntegrationMessage> History() =>
    [
        new OpportunityCreated
        {
            OrganizationId = Organization, OpportunityId = Opportunity, Version = 1, OccurredAt = Start, PipelineId = Pipeline, StageId = Stages[0],
            StageName = "Lead", Title = "Fleet renewal", OwnerId = "alice", Amount = 1_000, Currency = "EUR", Probability = 10,
            ExpectedDecisionDate = new DateOnly(2026, 4, 1), Segment = "smb", Source = "inbound", CreatedAt = Start,
        },
        Move(2, Stages[0], Stages[1], 3),
        Move(3, Stages[1], Stages[2], 10),
        new DecisionDateChanged
        {
            OrganizationId = Organization, OpportunityId = Opportunity, Version = 4, OccurredAt = Start.AddDays(11),
            PreviousDate = new DateOnly(2026, 4, 1), NewDate = new DateOnly(2026, 4, 21),
        },
        new OpportunityLost
        {
            OrganizationId = Organization, OpportunityId = Opportunity, Version = 5, OccurredAt = Start.AddDays(12), PipelineId = Pipeline, StageId = Stages[2],
            Reason = "Price", Amount = 1_000, Currency = "EUR", OwnerId = "alice", ClosedAt = Start.AddDays(12), TimeInStage = TimeSpan.FromDays(2),
        },
        new OpportunityReopened
        {
            OrganizationId = Organization, OpportunityId = Opportunity, Version = 6, OccurredAt = Start.AddDays(14), PipelineId = Pipeline, StageId = Stages[2],
            StageName = "Offer", Probability = 60, PreviousStatus = "lost",
        },
        new OpportunityUpdated
        {
            OrganizationId = Organization, OpportunityId = Opportunity, Version = 7, OccurredAt = Start.AddDays(15), Changes = [new FieldChange("amount", "1000", "1500")],
            Title = "Fleet renewal", OwnerId = "alice", Amount = 1_500, Currency = "EUR", Probability = 60, ExpectedDecisionDate = new DateOnly(2026, 4, 21),
            Segment = "smb", Source = "inbound",
        },
        new OpportunityWon
        {
            OrganizationId = Organization, OpportunityId = Opportunity, Version = 8, OccurredAt = Start.AddDays(20), PipelineId = Pipeline, StageId = Stages[2],
            Amount = 1_500, Currency = "EUR", OwnerId = "alice", ClosedAt = Start.AddDays(20), TimeInStage = TimeSpan.FromDays(6),
        },
        new ActivityCompleted
        {
            OrganizationId = Organization, ActivityId = Guid.NewGuid(), OpportunityId = Opportunity, Type = "call", AssigneeId = "alice", CompletedAt = Start.AddDays(21),
        },
    ];

    [Fact]
    public void A_deal_projected_from_its_history_has_its_last_figures_outcome_pushes_and_stays()
    {
        var projection = DealProjector.Project(Organization, 1, Opportunity, History())!;

        var deal = projection.Deal;
        Assert.Equal(("won", 1_500m, Stages[2], 8L), (deal.Status, deal.Amount, deal.StageId, deal.LastVersion));
        Assert.Equal((Start, Start.AddDays(20)), (deal.CreatedAt, deal.ClosedAt!.Value));
        Assert.Null(deal.LostReason);
        Assert.Equal((1, 20), (deal.PushCount, deal.PushedDays));
        Assert.Equal(Start.AddDays(21), deal.LastTouchedAt);
        Assert.Equal(
            [(Stages[0], 0, 3, "moved"), (Stages[1], 3, 10, "moved"), (Stages[2], 10, 12, "lost"), (Stages[2], 14, 20, "won")],
            projection.Intervals.Select(i => (i.StageId, Day(i.EnteredAt), Day(i.ExitedAt!.Value), i.Exit!)));
    }

    [Fact]
    public void The_same_events_in_any_order_and_delivered_twice_give_the_same_deal_stays_and_changes()
    {
        var history = History();
        var expected = Describe(DealProjector.Project(Organization, 1, Opportunity, history)!);
        var random = new Random(20261204);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var delivered = history.Concat(history.Where(_ => random.Next(2) == 0)).OrderBy(_ => random.Next()).ToList();
            Assert.Equal(expected, Describe(DealProjector.Project(Organization, 1, Opportunity, delivered)!));
        }
    }

    [Fact]
    public void A_deal_whose_creation_has_not_arrived_has_no_read_model_yet()
    {
        Assert.Null(DealProjector.Project(Organization, 1, Opportunity, History().Where(e => e is not OpportunityCreated)));
    }

    [Fact]
    public void An_open_deal_is_still_in_its_stage_and_a_pulled_decision_date_is_no_push()
    {
        var history = History().Take(3).Append(new DecisionDateChanged
        {
            OrganizationId = Organization, OpportunityId = Opportunity, Version = 4, OccurredAt = Start.AddDays(11),
            PreviousDate = new DateOnly(2026, 4, 1), NewDate = new DateOnly(2026, 3, 25),
        });

        var projection = DealProjector.Project(Organization, 1, Opportunity, history)!;

        Assert.Equal(("open", 0, new DateOnly(2026, 3, 25)), (projection.Deal.Status, projection.Deal.PushCount, projection.Deal.ExpectedDecisionDate!.Value));
        var current = projection.Intervals[^1];
        Assert.Equal((Stages[2], (DateTimeOffset?)null, (string?)null), (current.StageId, current.ExitedAt, current.Exit));
    }

    private static StageChanged Move(long version, Guid from, Guid to, int day) => new()
    {
        OrganizationId = Organization, OpportunityId = Opportunity, Version = version, OccurredAt = Start.AddDays(day), PipelineId = Pipeline,
        FromStageId = from, FromStageName = "from", ToStageId = to, ToStageName = "to", Probability = 25 * (int)version, Amount = 1_000,
        Currency = "EUR", OwnerId = "alice", TimeInPreviousStage = TimeSpan.FromDays(day),
    };

    private static int Day(DateTimeOffset at) => (int)(at - Start).TotalDays;

    private static string Describe(DealProjector.Projection projection)
    {
        var d = projection.Deal;
        var stays = projection.Intervals.Select(i => $"{i.StageId}:{i.EnteredAt:O}:{i.ExitedAt:O}:{i.Exit}");
        var changes = projection.Changes.Select(c => string.Join(":", new object?[]
        {
            c.Sequence, c.Version, c.Kind, c.At, c.FromValue, c.ToValue, c.FromStageId, c.ToStageId, c.AmountDelta, c.Currency, c.OpenDelta,
            c.WeightedDelta, c.PreviousCurrency, c.RemovedOpenAmount, c.RemovedWeightedAmount, c.PipelineId, c.OwnerId, c.TeamId, c.Segment, c.Source,
        }));
        return string.Join("|", new object?[]
        {
            d.LastVersion, d.PipelineId, d.StageId, d.Title, d.OwnerId, d.TeamId, d.Amount, d.Currency, d.Probability, d.Status, d.Segment,
            d.Source, d.LostReason, d.CreatedAt, d.ClosedAt, d.ExpectedDecisionDate, d.LastTouchedAt, d.PushCount, d.PushedDays,
        }.Concat(stays).Concat(changes));
    }
}
