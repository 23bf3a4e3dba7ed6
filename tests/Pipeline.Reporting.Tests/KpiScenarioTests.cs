using System.Text.Json;
using Pipeline.Contracts;
using Pipeline.Messaging.Organizations;
using Pipeline.Testing;

namespace Pipeline.Reporting.Tests;

/// <summary>
/// Ten deals whose every figure can be checked by hand (SPEC §6), in a pipeline of their own. Days are counted from
/// the anchor A, the first day of the month twelve months ago; the period is the twelve whole months from A.
/// Rates: 1 USD = 0.80 EUR from A−400, 0.90 EUR from A+200.
///
///  deal  amount      segment     path (day: event)                                         outcome
///  D1    10,000 EUR  enterprise  9 S1, 19 S2, 45 S3, 69 won                                 won, cycle 60
///  D2    20,000 EUR  enterprise  31 S1, 40 S3 (skips S2), 59 S5, 91 won                     won, cycle 60
///  D3     5,000 USD  smb         120 S1, 129 S2, 139 S1 (back), 151 S4, 241 won             won, cycle 121, 4,500 EUR
///  D4     8,000 EUR  smb         −61 S1 (before the period), 29 won                         won, cycle 90, not in the cohort
///  D5     3,000 EUR  enterprise  59 S1, 63 S2, 90 lost "Price"                              lost in S2
///  D6     1,000 USD  smb         73 S1, 78 S2, 90 S3, 165 lost "Price"                      lost in S3, 800 EUR
///  D7     4,000 EUR  smb         151 S1, 181 lost "No budget"                               lost in S1
///  D8    50,000 EUR  smb         40 S1, 50 S2, 59 S3, 90 S4; decision pushed twice (100, 110) open, stale in S4
///  D9    10,000 USD  smb         243 S1, 252 S2; decides next month                         open, stale in S2
///  D10    2,000 EUR  smb         334 S1, no decision date, activity completed yesterday     open, not stale
/// </summary>
[Collection(ReportingCollection.Name)]
public sealed class KpiScenarioTests(ReportingServiceFixture reporting)
{
    // Acme counts its days in Paris (its settings, as identity publishes them).
    private static readonly DateOnly Today = OrganizationCalendar.For("Europe/Paris", 1).Today(TimeProvider.System);
    private static readonly DateOnly ThisMonth = new(Today.Year, Today.Month, 1);
    private static readonly DateOnly Anchor = ThisMonth.AddMonths(-12);
    private static readonly DateOnly PeriodEnd = ThisMonth.AddDays(-1);
    private static readonly DateOnly NextMonth = ThisMonth.AddMonths(1).AddDays(14);

    [Fact]
    public async Task Every_figure_of_every_report_matches_the_hand_computed_scenario()
    {
        var scenario = Build(out var deals);
        await reporting.PublishAsync(Rates().Append(scenario.Pipeline()).Concat(scenario.Events));
        await reporting.WaitUntilAppliedAsync(scenario.Events);
        await AssertFiguresAsync(scenario, deals);
    }

    [Fact]
    public async Task The_same_events_twice_and_shuffled_give_the_same_figures()
    {
        var scenario = Build(out var deals);
        var shuffled = scenario.Events.Concat(scenario.Events).OrderBy(_ => Random.Shared.Next()).ToList();
        await reporting.PublishAsync(Rates().Append(scenario.Pipeline()).Concat(shuffled));
        await reporting.WaitUntilAppliedAsync(scenario.Events);
        await AssertFiguresAsync(scenario, deals);
    }

    [Fact]
    public async Task Reordering_stages_changes_which_stages_count_as_later_in_the_funnel()
    {
        var scenario = Build(out _);
        await reporting.PublishAsync(Rates().Append(scenario.Pipeline()).Concat(scenario.Events));
        await reporting.WaitUntilAppliedAsync(scenario.Events);

        // S2 now comes before S1: D5 and D9, which went from S1 to S2 only, no longer reached a later stage from S1.
        var reordered = scenario.Pipeline();
        reordered = reordered with
        {
            EventId = Guid.NewGuid(),
            Stages = reordered.Stages.Select(s => s.Name switch { "S1" => s with { Order = 2 }, "S2" => s with { Order = 1 }, _ => s }).ToList(),
        };
        await reporting.PublishAsync([reordered]);

        var period = $"pipelineId={scenario.PipelineId}&from={Anchor:yyyy-MM-dd}&to={PeriodEnd:yyyy-MM-dd}";
        var funnel = await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/funnel?{period}",
            r => r.GetProperty("stages")[0].GetProperty("stageId").GetGuid() == scenario.Stages[1]);
        var stages = funnel.GetProperty("stages").EnumerateArray().ToArray();
        Assert.Equal(scenario.Stages[0], stages[1].GetProperty("stageId").GetGuid());
        Assert.Equal((6, 4), (stages[0].GetProperty("entered").GetInt32(), stages[0].GetProperty("advanced").GetInt32()));   // S2: D1, D3 (back to S1), D6, D8
        Assert.Equal((9, 5), (stages[1].GetProperty("entered").GetInt32(), stages[1].GetProperty("advanced").GetInt32()));   // S1: D1, D2, D3, D6, D8
    }

    [Fact]
    public async Task The_rollup_folder_reports_what_it_folds_and_how_recently_it_turned()
    {
        long folded = 0;
        var ages = new List<double>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name is "pipeline.reporting.rollup_deltas_folded" or "pipeline.reporting.rollup_fold_age")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref folded, value));
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => ages.Add(value));
        listener.Start();

        var scenario = Build(out _);
        await reporting.PublishAsync(Rates().Append(scenario.Pipeline()).Concat(scenario.Events));
        await reporting.WaitUntilAppliedAsync(scenario.Events);
        await reporting.WaitUntilRollupsFoldedAsync();

        listener.RecordObservableInstruments();
        Assert.True(Interlocked.Read(ref folded) > 0, "the deltas of ten deals were folded");
        Assert.InRange(Assert.Single(ages), 0, 5);   // turns every 250 ms
    }

    private async Task AssertFiguresAsync(DealScenario scenario, Dictionary<string, DealScenario.Deal> deals)
    {
        var period = $"pipelineId={scenario.PipelineId}&from={Anchor:yyyy-MM-dd}&to={PeriodEnd:yyyy-MM-dd}";

        // Summary.
        var summary = await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/summary?{period}",
            r => r.GetProperty("wonCount").GetInt32() == 4 && r.GetProperty("lostCount").GetInt32() == 3 && r.GetProperty("openCount").GetInt32() == 3
                 && r.GetProperty("openAmount").GetDecimal() == 61_000m);
        Assert.Equal("EUR", summary.GetProperty("currency").GetString());
        Assert.Equal(61_000m, summary.GetProperty("openAmount").GetDecimal());                 // 50,000 + 10,000 × 0.90 + 2,000
        Assert.Equal(39_950m, summary.GetProperty("weightedAmount").GetDecimal());             // 37,500 + 2,250 + 200
        Assert.Equal(42_500m, summary.GetProperty("wonAmount").GetDecimal());                  // 10,000 + 20,000 + 4,500 + 8,000
        Assert.Equal(7_800m, summary.GetProperty("lostAmount").GetDecimal());                  // 3,000 + 800 + 4,000
        Assert.Equal(9, summary.GetProperty("createdCount").GetInt32());
        Assert.Equal(3.0 / 9, summary.GetProperty("conversionRate").GetDouble(), 5);           // D1, D2, D3 of the cohort of 9
        Assert.Equal(4.0 / 7, summary.GetProperty("winRate").GetDouble(), 5);
        Assert.Equal(82.75, summary.GetProperty("averageSalesCycleDays").GetDouble(), 3);      // (60 + 60 + 121 + 90) / 4
        Assert.Equal(75, summary.GetProperty("medianSalesCycleDays").GetDouble(), 3);          // (60 + 90) / 2
        Assert.Equal(3 * (4.0 / 7) * 10_625 / 82.75, summary.GetProperty("salesVelocityPerDay").GetDouble(), 3);
        var byCurrency = summary.GetProperty("byCurrency").EnumerateArray().ToDictionary(c => c.GetProperty("currency").GetString()!);
        Assert.Equal((52_000m, 37_700m, 38_000m, 7_000m), Figures(byCurrency["EUR"]));
        Assert.Equal((10_000m, 2_500m, 5_000m, 1_000m), Figures(byCurrency["USD"]));
        Assert.NotNull(summary.GetProperty("asOf").GetString());

        // The same figures for one segment (the per-segment rollups), for a segment and a source (the rollups of every
        // dimension, the median too), and for those and an owner (the same rollups, the median from the deals).
        foreach (var narrowed in new[] { "segment=smb", "segment=smb&source=inbound", $"segment=smb&ownerId={DemoUsers.AliceId}&source=inbound" })
        {
            var smb = await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/summary?{period}&{narrowed}", _ => true);
            Assert.Equal((2, 12_500m, 2, 4_800m), (smb.GetProperty("wonCount").GetInt32(), smb.GetProperty("wonAmount").GetDecimal(),
                smb.GetProperty("lostCount").GetInt32(), smb.GetProperty("lostAmount").GetDecimal()));   // won D3, D4; lost D6, D7
            Assert.Equal(105.5, smb.GetProperty("medianSalesCycleDays").GetDouble(), 3);               // (90 + 121) / 2
            Assert.Equal(3, smb.GetProperty("openCount").GetInt32());                                     // D8, D9, D10
        }

        // Once the projections' rollup deltas are folded into the rollups, the same figures.
        await reporting.WaitUntilRollupsFoldedAsync();
        var folded = await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/summary?{period}", _ => true);
        foreach (var figure in new[] { "openAmount", "weightedAmount", "wonAmount", "lostAmount", "conversionRate", "medianSalesCycleDays" })
        {
            Assert.Equal(summary.GetProperty(figure).GetDouble(), folded.GetProperty(figure).GetDouble());
        }

        // A period cutting months at both ends (days 60–63 to 237–240, whatever the months' lengths), which the
        // rollups answer from monthly rows minus the days outside it.
        var cut = $"pipelineId={scenario.PipelineId}&from={Anchor.AddMonths(2).AddDays(1):yyyy-MM-dd}&to={Anchor.AddMonths(7).AddDays(25):yyyy-MM-dd}";
        var inCut = await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/summary?{cut}", _ => true);
        Assert.Equal((2, 30_000m, 3, 7_800m, 3), (inCut.GetProperty("wonCount").GetInt32(), inCut.GetProperty("wonAmount").GetDecimal(),
            inCut.GetProperty("lostCount").GetInt32(), inCut.GetProperty("lostAmount").GetDecimal(), inCut.GetProperty("createdCount").GetInt32()));
        Assert.Equal(1.0 / 3, inCut.GetProperty("conversionRate").GetDouble(), 5);   // won D1, D2; lost D5, D6, D7; created D3 (won), D6, D7
        Assert.Equal(60, inCut.GetProperty("medianSalesCycleDays").GetDouble(), 3);

        // Funnel: entered, advanced (a later stage after entering, or won), lost here, whole days in stage (summed over
        // re-entries; a deal still in the stage counts the days up to today).
        int Since(int day) => Today.DayNumber - Anchor.AddDays(day).DayNumber;
        var stages = (await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/funnel?{period}", _ => true)).GetProperty("stages").EnumerateArray().ToArray();
        AssertStage(stages[0], entered: 9, advanced: 7, lost: 1, average: (98 + Since(334)) / 9.0, median: 10);
        AssertStage(stages[1], entered: 6, advanced: 4, lost: 1, average: (84 + Since(252)) / 6.0, median: 19);
        AssertStage(stages[2], entered: 4, advanced: 3, lost: 1, average: 37.25, median: 27.5);
        AssertStage(stages[3], entered: 2, advanced: 1, lost: 0, average: (90 + Since(90)) / 2.0, median: (90 + Since(90)) / 2.0);
        AssertStage(stages[4], entered: 1, advanced: 1, lost: 0, average: 32, median: 32);

        // The funnel of one segment (per-segment rollups), of one segment and source (the rollups of every dimension),
        // and of one owner in it (the median from the deals' stage rows):
        // D1 (S1 10 days, S2 26, S3 24, won), D2 (S1 9, S3 19, S5 32, won), D5 (S1 4, S2 27, lost).
        foreach (var narrowed in new[] { "segment=enterprise", "segment=enterprise&source=inbound", $"segment=enterprise&ownerId={DemoUsers.AliceId}" })
        {
            stages = (await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/funnel?{period}&{narrowed}", _ => true)).GetProperty("stages").EnumerateArray().ToArray();
            AssertStage(stages[0], entered: 3, advanced: 3, lost: 0, average: 23 / 3.0, median: 9);
            AssertStage(stages[1], entered: 2, advanced: 1, lost: 1, average: 26.5, median: 26.5);
            AssertStage(stages[2], entered: 2, advanced: 2, lost: 0, average: 21.5, median: 21.5);
            Assert.Equal(0, stages[3].GetProperty("entered").GetInt32());
            AssertStage(stages[4], entered: 1, advanced: 1, lost: 0, average: 32, median: 32);
        }

        // Forecast by decision date, from this month.
        var forecast = await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/forecast?pipelineId={scenario.PipelineId}&months=4", _ => true);
        var months = forecast.GetProperty("months").EnumerateArray().ToArray();
        Assert.Equal(ThisMonth.ToString("yyyy-MM"), months[0].GetProperty("month").GetString());
        Assert.Equal((0, 0m, 0m), Month(months[0]));
        Assert.Equal((1, 9_000m, 2_250m), Month(months[1]));      // D9
        Assert.Equal((0, 0m, 0m), Month(months[2]));
        Assert.Equal((1, 50_000m, 37_500m), Month(months[3]));    // D8, pushed twice to here
        Assert.Equal((0, 0m, 0m), Month(forecast.GetProperty("overdue")));
        Assert.Equal((1, 2_000m, 200m), Month(forecast.GetProperty("undated")));    // D10

        // Win/loss per segment, with lost reasons.
        var winLoss = await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/win-loss?{period}&groupBy=segment", _ => true);
        var groups = winLoss.GetProperty("groups").EnumerateArray().ToDictionary(g => g.GetProperty("key").GetString()!);
        Assert.Equal((2, 1, Math.Round(2.0 / 3, 5), 15_000m, 60.0), Group(groups["enterprise"]));
        Assert.Equal((2, 2, 0.5, 6_250m, 105.5), Group(groups["smb"]));
        Assert.Equal(
            [("Price", 2), ("No budget", 1)],
            winLoss.GetProperty("lostReasons").EnumerateArray().Select(r => (r.GetProperty("reason").GetString(), r.GetProperty("count").GetInt32())));

        // Stale: open and idle longer than the stage's rotting days, longest idle first.
        var stale = await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/stale?pipelineId={scenario.PipelineId}", _ => true);
        Assert.Equal([deals["D8"].Id, deals["D9"].Id], stale.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("opportunityId").GetGuid()));

        // Slipped: decision dates pushed.
        var slipped = await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/slipped?pipelineId={scenario.PipelineId}", _ => true);
        var pushed = Assert.Single(slipped.GetProperty("items").EnumerateArray());
        Assert.Equal(deals["D8"].Id, pushed.GetProperty("opportunityId").GetGuid());
        Assert.Equal(2, pushed.GetProperty("pushCount").GetInt32());
        Assert.Equal(ThisMonth.AddMonths(3).AddDays(14).DayNumber - NextMonth.DayNumber, pushed.GetProperty("pushedDays").GetInt32());
    }

    private static DealScenario Build(out Dictionary<string, DealScenario.Deal> deals)
    {
        var scenario = new DealScenario(Guid.NewGuid(), new DateTimeOffset(Anchor.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        deals = new Dictionary<string, DealScenario.Deal>
        {
            ["D1"] = scenario.Create("D1", 10_000, "EUR", 9, "enterprise").Move(2, 19).Move(3, 45).Win(69),
            ["D2"] = scenario.Create("D2", 20_000, "EUR", 31, "enterprise").Move(3, 40).Move(5, 59).Win(91),
            ["D3"] = scenario.Create("D3", 5_000, "USD", 120).Move(2, 129).Move(1, 139).Move(4, 151).Win(241),
            ["D4"] = scenario.Create("D4", 8_000, "EUR", -61).Win(29),
            ["D5"] = scenario.Create("D5", 3_000, "EUR", 59, "enterprise").Move(2, 63).Lose(90, "Price"),
            ["D6"] = scenario.Create("D6", 1_000, "USD", 73).Move(2, 78).Move(3, 90).Lose(165, "Price"),
            ["D7"] = scenario.Create("D7", 4_000, "EUR", 151).Lose(181, "No budget"),
            ["D8"] = scenario.Create("D8", 50_000, "EUR", 40, decision: NextMonth).Move(2, 50).Move(3, 59).Move(4, 90)
                .PushDecision(NextMonth, ThisMonth.AddMonths(2).AddDays(14), 100)
                .PushDecision(ThisMonth.AddMonths(2).AddDays(14), ThisMonth.AddMonths(3).AddDays(14), 110),
            ["D9"] = scenario.Create("D9", 10_000, "USD", 243, decision: NextMonth).Move(2, 252),
            ["D10"] = scenario.Create("D10", 2_000, "EUR", 334),
        };
        scenario.Events.Add(new ActivityCompleted
        {
            OrganizationId = DemoUsers.Acme, ActivityId = Guid.NewGuid(), OpportunityId = deals["D10"].Id, Type = "call",
            AssigneeId = DemoUsers.AliceId, CompletedAt = DateTimeOffset.UtcNow.AddDays(-1),
        });
        return scenario;
    }

    private static IEnumerable<IntegrationMessage> Rates()
    {
        var a = Anchor;
        yield return new ExchangeRateChanged { OrganizationId = DemoUsers.Acme, Currency = "EUR", OrganizationCurrency = "EUR", Rate = 1, EffectiveFrom = DateOnly.MinValue };
        yield return new ExchangeRateChanged { OrganizationId = DemoUsers.Acme, Currency = "USD", OrganizationCurrency = "EUR", Rate = 0.8m, EffectiveFrom = a.AddDays(-400) };
        yield return new ExchangeRateChanged { OrganizationId = DemoUsers.Acme, Currency = "USD", OrganizationCurrency = "EUR", Rate = 0.9m, EffectiveFrom = a.AddDays(200) };
    }

    private static void AssertStage(JsonElement stage, int entered, int advanced, int lost, double average, double median)
    {
        Assert.Equal(entered, stage.GetProperty("entered").GetInt32());
        Assert.Equal(advanced, stage.GetProperty("advanced").GetInt32());
        Assert.Equal((double)advanced / entered, stage.GetProperty("conversionRate").GetDouble(), 5);
        Assert.Equal((double)lost / entered, stage.GetProperty("dropOffRate").GetDouble(), 5);
        Assert.Equal(average, stage.GetProperty("averageDaysInStage").GetDouble(), 1);
        Assert.Equal(median, stage.GetProperty("medianDaysInStage").GetDouble(), 1);
    }

    private static (decimal Open, decimal Weighted, decimal Won, decimal Lost) Figures(JsonElement c) =>
        (c.GetProperty("openAmount").GetDecimal(), c.GetProperty("weightedAmount").GetDecimal(), c.GetProperty("wonAmount").GetDecimal(), c.GetProperty("lostAmount").GetDecimal());

    private static (int Count, decimal Open, decimal Weighted) Month(JsonElement m) =>
        (m.GetProperty("count").GetInt32(), m.GetProperty("openAmount").GetDecimal(), m.GetProperty("weightedAmount").GetDecimal());

    private static (int Won, int Lost, double WinRate, decimal AverageDealSize, double AverageCycleDays) Group(JsonElement g) =>
        (g.GetProperty("won").GetInt32(), g.GetProperty("lost").GetInt32(), Math.Round(g.GetProperty("winRate").GetDouble(), 5),
         g.GetProperty("averageDealSize").GetDecimal(), g.GetProperty("averageCycleDays").GetDouble());
}
