using Pipeline.Contracts;
using Pipeline.Messaging.Organizations;
using Pipeline.Reporting.Apis;
using Pipeline.Reporting.Domain;
using Pipeline.Reporting.Projections;
using static Pipeline.Reporting.UnitTests.DealProjectorTests;

namespace Pipeline.Reporting.UnitTests;

/// <summary>
/// The pipeline review's rules without a database: which changes a deal's events make, which way a move went in the
/// pipeline's current order, the window's totals in the organisation's currency, and the window asked for.
/// </summary>
public sealed class PipelineReviewTests
{
    private static readonly Guid OtherPipeline = Guid.NewGuid();
    private static readonly Guid ThePipeline = DealProjectorTests.Pipeline;

    [Fact]
    public void Each_event_of_a_deal_becomes_the_change_the_review_lists_with_what_it_moved_the_open_and_weighted_pipeline_by()
    {
        var changes = DealProjector.Project(Organization, 1, Opportunity, History())!.Changes;

        Assert.Equal(
        [
            (0, "created", 0, null, "Lead", (Guid?)null, (Guid?)Stages[0]),
            (1, "moved", 3, "from", "to", Stages[0], Stages[1]),
            (2, "moved", 10, "from", "to", Stages[1], Stages[2]),
            (3, "pushed", 11, "2026-04-01", "2026-04-21", null, null),
            (4, "lost", 12, null, "Price", Stages[2], null),
            (5, "reopened", 14, "lost", "Offer", null, Stages[2]),
            (6, "amountUp", 15, "1000", "1500", null, null),
            (7, "won", 20, null, null, Stages[2], null),
        ], changes.Select(c => (c.Sequence, c.Kind, (int)(c.At - Start).TotalDays, c.FromValue, c.ToValue, c.FromStageId, c.ToStageId)));
        // Created at 10 %, moved to 50 and 75 %, lost, reopened at 60 %, raised by 500, won.
        Assert.Equal(
        [
            (1_000m, 100m), (0m, 400m), (0m, 250m), (0m, 0m), (-1_000m, -750m), (1_000m, 600m), (500m, 300m), (-1_500m, -900m),
        ], changes.Select(c => (c.OpenDelta, c.WeightedDelta)));
        Assert.Equal(500m, changes.Single(c => c.Kind == "amountUp").AmountDelta);
        // Every row carries the deal's current filters (a won deal in the end, still Alice's).
        Assert.All(changes, c => Assert.Equal((ThePipeline, "alice", "smb", "inbound"), (c.PipelineId, c.OwnerId, c.Segment, c.Source)));
        // A window holding all of them: the deal, won, adds nothing to the open pipeline.
        Assert.Equal((0m, 0m), (changes.Sum(c => c.OpenDelta), changes.Sum(c => c.WeightedDelta)));
        Assert.All(changes, c => Assert.Equal(("EUR", "EUR", 0m, 0m), (c.Currency, c.PreviousCurrency, c.RemovedOpenAmount, c.RemovedWeightedAmount)));
    }

    [Fact]
    public void An_update_lists_an_amount_lowered_a_currency_changed_and_a_probability_set_and_a_pull_is_a_pull()
    {
        var history = History().Take(3).Concat(
        [
            Update(4, 800, "EUR", 75, day: 11),
            Update(5, 800, "EUR", 40, day: 12),
            Update(6, 900, "USD", 40, day: 13),
            Update(7, 900, "USD", 40, day: 14),   // the title only: nothing the review lists
            new DecisionDateChanged
            {
                OrganizationId = Organization, OpportunityId = Opportunity, Version = 8, OccurredAt = Start.AddDays(15),
                PreviousDate = new DateOnly(2026, 4, 1), NewDate = new DateOnly(2026, 3, 20),
            },
        ]);

        var changes = DealProjector.Project(Organization, 1, Opportunity, history)!.Changes.Skip(3).ToList();

        // At 75 %: lowered by 200; set to 40 %; from 800 EUR to 900 USD: all 900 USD added, all 800 EUR taken away.
        Assert.Equal(
        [
            ("amountDown", "1000", "800", (decimal?)-200m, "EUR", -200m, -150m, "EUR", 0m, 0m),
            ("probabilityChanged", "75", "40", null, "EUR", 0m, -280m, "EUR", 0m, 0m),
            ("currencyChanged", "800 EUR", "900 USD", null, "USD", 900m, 360m, "EUR", 800m, 320m),
            ("pulled", "2026-04-01", "2026-03-20", null, "USD", 0m, 0m, "USD", 0m, 0m),
        ], changes.Select(c => (c.Kind, c.FromValue, c.ToValue, c.AmountDelta, c.Currency, c.OpenDelta, c.WeightedDelta, c.PreviousCurrency,
            c.RemovedOpenAmount, c.RemovedWeightedAmount)));
    }

    [Fact]
    public void A_move_goes_forward_or_back_by_the_pipelines_current_order_and_otherwise_is_a_move()
    {
        var stages = Places((Stages[0], ThePipeline, 1), (Stages[1], ThePipeline, 2), (Stages[2], OtherPipeline, 1));

        Assert.Equal(ChangeKind.MovedForward, PipelineReview.Direction(Stages[0], Stages[1], stages));
        Assert.Equal(ChangeKind.MovedBackward, PipelineReview.Direction(Stages[1], Stages[0], stages));
        Assert.Equal(ChangeKind.Moved, PipelineReview.Direction(Stages[1], Stages[2], stages));          // to another pipeline
        Assert.Equal(ChangeKind.Moved, PipelineReview.Direction(Stages[0], Guid.NewGuid(), stages));     // a stage not known (yet)

        // Reordered: the same move is now backward, and keeps the name the pipeline gives the stage now.
        var reordered = Places((Stages[0], ThePipeline, 2), (Stages[1], ThePipeline, 1));
        Assert.Equal(ChangeKind.MovedBackward, PipelineReview.Kind(ChangeKind.Moved, Stages[0], Stages[1], reordered));
        Assert.Equal(ChangeKind.Won, PipelineReview.Kind(ChangeKind.Won, Stages[0], null, reordered));
        Assert.Equal("Stage 2", PipelineReview.Name(Stages[0], "Old name", reordered));
        Assert.Equal("Old name", PipelineReview.Name(Guid.NewGuid(), "Old name", reordered));
    }

    [Fact]
    public void The_totals_count_each_kind_and_convert_amounts_at_their_days_rate_naming_what_had_no_rate()
    {
        var stages = Places((Stages[0], ThePipeline, 1), (Stages[1], ThePipeline, 2));
        var money = new ReportCurrency("EUR", new DatedExchangeRates("EUR",
            [new DatedRate("USD", new DateOnly(2026, 1, 1), 0.8m), new DatedRate("USD", new DateOnly(2026, 3, 10), 0.9m)]));
        var day = new DateOnly(2026, 3, 9);

        var (totals, incomplete) = PipelineReview.Total(
            [
                new ChangeCount(ChangeKind.Moved, Stages[0], Stages[1], 3), new ChangeCount(ChangeKind.Moved, Stages[1], Stages[0], 1),
                new ChangeCount(ChangeKind.Moved, Stages[0], Guid.NewGuid(), 5), new ChangeCount(ChangeKind.Created, null, null, 2),
                new ChangeCount(ChangeKind.Won, null, null, 1), new ChangeCount(ChangeKind.Pushed, null, null, 4),
            ],
            [
                new ChangeAmounts("EUR", day, 1_000, -200, 5_000, 1_000),
                new ChangeAmounts("USD", day, 100, 0, -1_000, -500),              // at 0.80
                new ChangeAmounts("USD", day.AddDays(1), 0, -100, 0, 0),          // at 0.90
                new ChangeAmounts("SEK", day, 0, 0, 3_000, 300),                  // no rate
                new ChangeAmounts("NOK", day, 0, 0, 700, 70),                     // no rate, but cancelled out the same day
                new ChangeAmounts("NOK", day, 0, 0, -700, -70),
            ],
            stages, money);

        Assert.Equal(new ChangeTotals(2, 1, 0, 0, 3, 1, 4, 0, 1_080m, -290m, 4_200m, 600m), totals);
        Assert.Equal(["openAmountDelta", "weightedAmountDelta"], incomplete);
        Assert.Equal(["SEK"], money.Missing);
        Assert.Equal([new LeftOutChanges("SEK", 0, 0, 3_000, 300)], money.LeftOutOfChanges);
    }

    [Fact]
    public void The_window_is_cut_where_a_rate_takes_effect_so_that_each_stretch_converts_at_its_first_days_rates()
    {
        var paris = OrganizationCalendar.For("Europe/Paris", 1);
        var window = ReviewWindow.Of(WindowBound.Parse("2026-03-02T10:00:00Z"), WindowBound.Parse("2026-03-09T10:00:00Z"), DateTimeOffset.UtcNow, paris);

        var stretches = ReviewWindow.RateStretches(window, [new DateOnly(2026, 1, 1), new DateOnly(2026, 3, 5), new DateOnly(2026, 3, 5), new DateOnly(2026, 4, 1)], paris);

        Assert.Equal(
            [new RateStretch(window.From, new DateOnly(2026, 3, 2)), new RateStretch(new DateTimeOffset(2026, 3, 4, 23, 0, 0, TimeSpan.Zero), new DateOnly(2026, 3, 5))],
            stretches);
        Assert.Equal([new RateStretch(window.From, new DateOnly(2026, 3, 2))], ReviewWindow.RateStretches(window, [], paris));
    }

    [Fact]
    public void A_bound_is_an_instant_with_its_offset_or_a_day_that_starts_at_the_organisations_midnight()
    {
        var paris = OrganizationCalendar.For("Europe/Paris", 1);

        Assert.Equal(new DateTimeOffset(2026, 12, 4, 8, 0, 0, TimeSpan.Zero), WindowBound.Parse("2026-12-04T09:00:00+01:00")!.In(paris));
        Assert.Equal(new DateTimeOffset(2026, 12, 4, 9, 0, 0, TimeSpan.Zero), WindowBound.Parse("2026-12-04T09:00:00Z")!.In(paris));
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 23, 0, 0, TimeSpan.Zero), WindowBound.Parse("2026-12-04")!.In(paris));
        Assert.Null(WindowBound.Parse("2026-12-04T09:00:00"));   // whose clock?
        Assert.Null(WindowBound.Parse("last week"));
        Assert.Null(WindowBound.Parse("0001-01-01"));
    }

    [Fact]
    public void The_window_is_the_last_seven_days_by_default_at_most_a_year_and_not_reversed()
    {
        var utc = OrganizationCalendar.Utc;
        var now = new DateTimeOffset(2026, 12, 4, 15, 30, 0, TimeSpan.Zero);

        var week = ReviewWindow.Of(null, null, now, utc);
        Assert.Equal((now.AddDays(-7), now), (week.From, week.To));
        var untilOnly = ReviewWindow.Of(null, WindowBound.Parse("2026-11-01"), now, utc);
        Assert.Equal(new DateTimeOffset(2026, 10, 25, 0, 0, 0, TimeSpan.Zero), untilOnly.From);
        Assert.Null(ReviewWindow.Problem(week));
        Assert.Null(ReviewWindow.Problem(ReviewWindow.Of(WindowBound.Parse("2025-12-04"), WindowBound.Parse("2026-12-04"), now, utc)));

        Assert.Equal("since", ReviewWindow.Problem(ReviewWindow.Of(WindowBound.Parse("2026-12-05"), null, now, utc))?.Field);
        Assert.Equal("since", ReviewWindow.Problem(ReviewWindow.Of(WindowBound.Parse("2025-12-03"), WindowBound.Parse("2026-12-04"), now, utc))?.Field);
    }

    [Fact]
    public void As_csv_the_review_is_a_line_per_change_of_the_pages_deals()
    {
        var at = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        var report = new ChangesReport(at.AddDays(-7), at, "EUR", null, new ChangeTotals(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
            [
                new ChangedDeal(Guid.Empty, "Racks, phase 2", "alice",
                    [new ReviewedChange("amountUp", "1000", "1500", at, "EUR"), new ReviewedChange("movedBackward", "Proposal", "Discovery", at, null)]),
            ], null, [], [], []);

        var file = ReportCsv.Changes(report);

        Assert.Equal("""
            opportunityId,title,ownerId,kind,from,to,currency,at
            00000000-0000-0000-0000-000000000000,"Racks, phase 2",alice,amountUp,1000,1500,EUR,2026-12-01T10:00:00.0000000+00:00
            00000000-0000-0000-0000-000000000000,"Racks, phase 2",alice,movedBackward,Proposal,Discovery,,2026-12-01T10:00:00.0000000+00:00

            """.ReplaceLineEndings("\n"), System.Text.Encoding.UTF8.GetString(file.FileContents.Span));
    }

    private static OpportunityUpdated Update(long version, decimal amount, string currency, int probability, int day) => new()
    {
        OrganizationId = Organization, OpportunityId = Opportunity, Version = version, OccurredAt = Start.AddDays(day), Changes = [],
        Title = $"Fleet renewal v{version}", OwnerId = "alice", Amount = amount, Currency = currency, Probability = probability,
        ExpectedDecisionDate = new DateOnly(2026, 4, 1), Segment = "smb", Source = "inbound",
    };

    private static Dictionary<Guid, StagePlace> Places(params (Guid Stage, Guid Pipeline, int Order)[] stages) =>
        stages.ToDictionary(s => s.Stage, s => new StagePlace(s.Pipeline, $"Stage {s.Order}", s.Order));
}
