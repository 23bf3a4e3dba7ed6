using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.Reporting.Tests;

/// <summary>
/// The deals behind a figure (<c>GET /api/reports/deals</c>) and the distribution of sales cycles in the summary, on
/// eleven deals whose figures can be checked by hand, in a pipeline of their own. Acme counts its days in Paris
/// (UTC+1 in winter). Days are Paris days counted from day 0 = Monday 1 January 2018; an event on day k is at noon
/// UTC (13:00 in Paris), unless a time is given. The period is 1 January to 28 February 2018: days 0–58, that is
/// [2017-12-31T23:00Z, 2018-02-28T23:00Z). Owners: Alice and Bob (team East), Carol (team West).
///
///  deal  owner   amount      created                     path (day: event)                       outcome, cycle (days)
///  F1    Alice   10,000 EUR  2                           5 S2, 8 S3, 9 won                       won, 7
///  F2    Alice   20,000 EUR  3                           6 S3 (skips S2), 11 won                 won, 8
///  F3    Alice    3,000 EUR  1                           4 S2, 21 lost "Price"                   lost
///  F4    Carol    4,000 EUR  10                          50 won                                  won, 40
///  F5    Bob      5,000 EUR  30                          32 S2                                   open
///  F6    Alice    6,000 EUR  −20 (before the period)     15 won                                  won, 35; not in the cohort
///  F7    Alice    7,000 EUR  40                          won 2018-02-28T23:30Z, 1 March in Paris won after the period, 19
///  F8    Alice    8,000 EUR  2017-12-31T23:30Z, day 0    25 lost "No budget"                     lost; in the cohort (Paris)
///  F9    Alice    9,000 EUR  45                          47 S2, 50 S4 (skips S3), 52 S2 (back)   open
///  F10   Alice    1,000 EUR  −40 (before the period)     −30 S2                                  open; not in the cohort
///  F11   Alice    2,000 EUR  −401 (in 2016)              20 won                                  won, 421; not in the cohort
///
/// Figures: created F1 F2 F3 F4 F5 F7 F8 F9 (8); won F1 F2 F6 F11 F4 (5); lost F3 F8 (2); closed those 7.
/// Cycles: 0–7 F1; 8–14 F2; 31–60 F6, F4; 366+ F11; the other buckets 0. Funnel entered (the cohort): S1 8;
/// S2 F1 F3 F5 F9 (4: F2 skipped it, F9 entered it twice); S3 F1 F2 (2: F9 skipped it); S4 F9 (1); S5 0.
/// Bob (rep, East) sees every deal but Carol's F4; Carol (rep, West) only F4.
/// </summary>
[Collection(ReportingCollection.Name)]
public sealed class FigureDealsTests(ReportingServiceFixture reporting)
{
    private static readonly DateTimeOffset Anchor = new(2018, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private const string Period = "from=2018-01-01&to=2018-02-28";

    [Fact]
    public async Task Each_figure_lists_the_deals_it_counts_as_many_as_the_summary_and_the_funnel_count()
    {
        var (scenario, deals, _) = await PublishAsync();
        var filter = $"pipelineId={scenario.PipelineId}&{Period}";
        string[] Ids(params string[] names) => names.Select(n => deals[n].Id.ToString()).ToArray();

        var summary = await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/summary?{filter}", r => r.GetProperty("wonCount").GetInt32() == 5);
        Assert.Equal((8, 5, 2), (summary.GetProperty("createdCount").GetInt32(), summary.GetProperty("wonCount").GetInt32(), summary.GetProperty("lostCount").GetInt32()));

        // Latest first: by close for won, lost and closed, by creation for created. F7 closed on 1 March in Paris
        // (28 February in UTC) and F8 was created on 1 January in Paris (31 December in UTC): the organisation's days.
        Assert.Equal(Ids("F9", "F7", "F5", "F4", "F2", "F1", "F3", "F8"), await ListAsync(DemoUsers.AcmeAdmin, $"figure=created&{filter}"));
        Assert.Equal(Ids("F4", "F11", "F6", "F2", "F1"), await ListAsync(DemoUsers.AcmeAdmin, $"figure=won&{filter}"));
        Assert.Equal(Ids("F8", "F3"), await ListAsync(DemoUsers.AcmeAdmin, $"figure=lost&{filter}"));
        Assert.Equal(Ids("F4", "F8", "F3", "F11", "F6", "F2", "F1"), await ListAsync(DemoUsers.AcmeAdmin, $"figure=closed&{filter}"));

        // The funnel's entered: skipped stages have no entry, a stage entered twice counts once, the cohort only.
        var funnel = (await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/funnel?{filter}", _ => true)).GetProperty("stages").EnumerateArray().ToArray();
        Assert.Equal([8, 4, 2, 1, 0], funnel.Select(s => s.GetProperty("entered").GetInt32()));
        string[][] entered = [Ids("F9", "F7", "F5", "F4", "F2", "F1", "F3", "F8"), Ids("F9", "F5", "F1", "F3"), Ids("F2", "F1"), Ids("F9"), []];
        for (var stage = 0; stage < 5; stage++)
        {
            Assert.Equal(scenario.Stages[stage], funnel[stage].GetProperty("stageId").GetGuid());
            Assert.Equal(entered[stage], await ListAsync(DemoUsers.AcmeAdmin, $"figure=entered&stageId={scenario.Stages[stage]}&{filter}"));
        }

        // A whole item: the deal as it is now, its current stage, its cycle in Paris days.
        var f1 = (await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/deals?figure=won&cycleFrom=0&cycleTo=7&{filter}", _ => true))
            .GetProperty("items").EnumerateArray().Single();
        Assert.Equal(
            (deals["F1"].Id, "F1", DemoUsers.AliceId, scenario.PipelineId, scenario.Stages[2], "S3", "won", 10_000m, "EUR", Anchor.AddDays(2.5), Anchor.AddDays(9.5), 7),
            (f1.GetProperty("opportunityId").GetGuid(), f1.GetProperty("title").GetString(), f1.GetProperty("ownerId").GetString(), f1.GetProperty("pipelineId").GetGuid(),
             f1.GetProperty("stageId").GetGuid(), f1.GetProperty("stageName").GetString(), f1.GetProperty("status").GetString(), f1.GetProperty("amount").GetDecimal(),
             f1.GetProperty("currency").GetString(), f1.GetProperty("createdAt").GetDateTimeOffset(), f1.GetProperty("closedAt").GetDateTimeOffset(),
             f1.GetProperty("cycleDays").GetInt32()));
        var lost = (await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/deals?figure=lost&{filter}", _ => true)).GetProperty("items")[0];
        Assert.Equal(JsonValueKind.Null, lost.GetProperty("cycleDays").ValueKind);
    }

    [Fact]
    public async Task The_summary_counts_won_deals_by_cycle_length_and_each_bucket_lists_its_deals()
    {
        var (scenario, deals, _) = await PublishAsync();
        var filter = $"pipelineId={scenario.PipelineId}&{Period}";

        var summary = await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/summary?{filter}", r => r.GetProperty("wonCount").GetInt32() == 5);
        var buckets = summary.GetProperty("cycleDistribution").EnumerateArray()
            .Select(b => (From: b.GetProperty("fromDays").GetInt32(), To: b.GetProperty("toDays").ValueKind == JsonValueKind.Null ? (int?)null : b.GetProperty("toDays").GetInt32(),
                Deals: b.GetProperty("deals").GetInt32())).ToList();
        Assert.Equal(
            [(0, 7, 1), (8, 14, 1), (15, 30, 0), (31, 60, 2), (61, 90, 0), (91, 180, 0), (181, 365, 0), (366, (int?)null, 1)],
            buckets);
        Assert.Equal(5, buckets.Sum(b => b.Deals));   // F1 7, F2 8, F6 35, F4 40, F11 421 (F7, 19, closed after the period)

        // Each bucket lists its deals, with their cycles, as many as it counts; both ends included.
        foreach (var (from, to, count) in buckets)
        {
            var items = await ItemsAsync(DemoUsers.AcmeAdmin, $"figure=won&cycleFrom={from}{(to is null ? "" : $"&cycleTo={to}")}&{filter}");
            Assert.Equal(count, items.Count);
            Assert.All(items, i => Assert.InRange(i.GetProperty("cycleDays").GetInt32(), from, to ?? int.MaxValue));
        }

        var middle = await ItemsAsync(DemoUsers.AcmeAdmin, $"figure=won&cycleFrom=31&cycleTo=60&{filter}");
        Assert.Equal([(deals["F4"].Id, 40), (deals["F6"].Id, 35)], middle.Select(i => (i.GetProperty("opportunityId").GetGuid(), i.GetProperty("cycleDays").GetInt32())));
        Assert.Equal([(deals["F2"].Id, 8)], (await ItemsAsync(DemoUsers.AcmeAdmin, $"figure=won&cycleFrom=8&cycleTo=8&{filter}"))
            .Select(i => (i.GetProperty("opportunityId").GetGuid(), i.GetProperty("cycleDays").GetInt32())));
        Assert.Equal([deals["F11"].Id], (await ItemsAsync(DemoUsers.AcmeAdmin, $"figure=won&cycleFrom=366&{filter}")).Select(i => i.GetProperty("opportunityId").GetGuid()));
        Assert.Equal([deals["F2"].Id, deals["F1"].Id], (await ItemsAsync(DemoUsers.AcmeAdmin, $"figure=won&cycleTo=14&{filter}")).Select(i => i.GetProperty("opportunityId").GetGuid()));
    }

    [Fact]
    public async Task A_rep_sees_the_deals_behind_their_teams_figures_only()
    {
        var (scenario, deals, _) = await PublishAsync();
        var filter = $"pipelineId={scenario.PipelineId}&{Period}";
        await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/summary?{filter}", r => r.GetProperty("wonCount").GetInt32() == 5);

        // Bob (East) sees Alice's deals and his own, not Carol's F4; Carol (West) hers only.
        var bobSummary = await reporting.ReportAsync(DemoUsers.Bob, $"/api/reports/summary?{filter}", _ => true);
        var bobWon = await ListAsync(DemoUsers.Bob, $"figure=won&{filter}");
        Assert.Equal(new[] { "F11", "F6", "F2", "F1" }.Select(n => deals[n].Id.ToString()), bobWon);
        Assert.Equal(bobSummary.GetProperty("wonCount").GetInt32(), bobWon.Length);
        Assert.Equal(bobSummary.GetProperty("createdCount").GetInt32(), (await ListAsync(DemoUsers.Bob, $"figure=created&{filter}")).Length);   // 7
        Assert.Equal([deals["F5"].Id.ToString()], await ListAsync(DemoUsers.Bob, $"figure=created&ownerId=me&{filter}"));

        var carolSummary = await reporting.ReportAsync(DemoUsers.Carol, $"/api/reports/summary?{filter}", _ => true);
        Assert.Equal((1, 1, 0), (carolSummary.GetProperty("createdCount").GetInt32(), carolSummary.GetProperty("wonCount").GetInt32(), carolSummary.GetProperty("lostCount").GetInt32()));
        Assert.Equal([deals["F4"].Id.ToString()], await ListAsync(DemoUsers.Carol, $"figure=closed&{filter}"));
        Assert.Equal([deals["F4"].Id.ToString()], await ListAsync(DemoUsers.Carol, $"figure=entered&stageId={scenario.Stages[0]}&{filter}"));
        Assert.Empty(await ListAsync(DemoUsers.Carol, $"figure=entered&stageId={scenario.Stages[1]}&{filter}"));
        var carolFunnel = (await reporting.ReportAsync(DemoUsers.Carol, $"/api/reports/funnel?{filter}", _ => true)).GetProperty("stages");
        Assert.Equal((1, 0), (carolFunnel[0].GetProperty("entered").GetInt32(), carolFunnel[1].GetProperty("entered").GetInt32()));
    }

    [Fact]
    public async Task The_deals_come_in_pages_and_export_as_csv()
    {
        var (scenario, deals, _) = await PublishAsync();
        var filter = $"pipelineId={scenario.PipelineId}&{Period}";
        await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/summary?{filter}", r => r.GetProperty("wonCount").GetInt32() == 5);

        var first = await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/deals?figure=lost&limit=1&{filter}", _ => true);
        Assert.Equal([deals["F8"].Id], first.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("opportunityId").GetGuid()));
        var cursor = first.GetProperty("nextCursor").GetString();
        Assert.NotNull(cursor);
        var second = await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/deals?figure=lost&limit=1&cursor={cursor}&{filter}", _ => true);
        Assert.Equal([deals["F3"].Id], second.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("opportunityId").GetGuid()));
        Assert.Null(second.GetProperty("nextCursor").GetString());

        // Pages of 3 of the 7 closed deals: 3, 3, 1, together the whole list in its order.
        var pages = new List<string>();
        string? next = null;
        do
        {
            var page = await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/deals?figure=closed&limit=3&{filter}" + (next is null ? "" : $"&cursor={next}"), _ => true);
            Assert.InRange(page.GetProperty("items").GetArrayLength(), 1, 3);
            pages.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("opportunityId").GetString()!));
            next = page.GetProperty("nextCursor").GetString();
        }
        while (next is not null);
        Assert.Equal(await ListAsync(DemoUsers.AcmeAdmin, $"figure=closed&{filter}"), pages);

        using var client = await reporting.ReportingClientAsync(DemoUsers.AcmeAdmin);
        var csv = await client.GetAsync($"/api/reports/deals?figure=won&cycleFrom=31&cycleTo=60&format=csv&{filter}");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal(("text/csv", "deals-won.csv"), (csv.Content.Headers.ContentType?.MediaType, csv.Content.Headers.ContentDisposition?.FileName?.Trim('"')));
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("opportunityId,title,ownerId,pipelineId,stageId,stageName,status,amount,currency,createdAt,closedAt,cycleDays", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith($"{deals["F4"].Id},F4,{DemoUsers.CarolId},{scenario.PipelineId},{scenario.Stages[0]},S1,won,4000.00,EUR,", lines[1]);
        Assert.EndsWith(",40", lines[1]);
        Assert.StartsWith($"{deals["F6"].Id},F6,{DemoUsers.AliceId},", lines[2]);
        Assert.EndsWith(",35", lines[2]);
    }

    [Fact]
    public async Task A_stage_of_another_organisation_or_of_none_is_not_found()
    {
        var (_, _, globexStage) = await PublishAsync();
        // Globex's admin finds Globex's stage (no deals in it), once its pipeline is in.
        var globex = await reporting.ReportAsync(DemoUsers.Eve, $"/api/reports/deals?figure=entered&stageId={globexStage}&{Period}", _ => true);
        Assert.Empty(globex.GetProperty("items").EnumerateArray());

        using var client = await reporting.ReportingClientAsync(DemoUsers.AcmeAdmin);
        foreach (var stage in new[] { globexStage, Guid.NewGuid() })
        {
            var response = await client.GetAsync($"/api/reports/deals?figure=entered&stageId={stage}&{Period}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("Stage not found", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        }
    }

    [Fact]
    public async Task The_deals_without_a_segment_are_the_none_group_of_the_win_loss_report_and_open_as_such()
    {
        // Two deals of a pipeline of their own, both won in the period: N1 without a segment, N2 in "smb".
        var acme = new DealScenario(Guid.NewGuid(), Anchor);
        var none = acme.Create("N1", 1_500, "EUR", 2.5, segment: null).Win(9.5);
        var smb = acme.Create("N2", 2_500, "EUR", 3.5).Win(12.5);
        await reporting.PublishAsync([acme.Pipeline(), .. acme.Events]);
        await reporting.WaitUntilAppliedAsync(acme.Events);
        var filter = $"pipelineId={acme.PipelineId}&{Period}";

        var groups = (await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/win-loss?groupBy=segment&{filter}", r => r.GetProperty("groups").GetArrayLength() == 2))
            .GetProperty("groups").EnumerateArray().Select(g => (g.GetProperty("key").GetString(), g.GetProperty("won").GetInt32()));
        Assert.Equal([("(none)", 1), ("smb", 1)], groups);

        // segment=(none) selects the deals without one, in the lists and in the figures alike.
        Assert.Equal([none.Id.ToString()], await ListAsync(DemoUsers.AcmeAdmin, $"figure=won&segment=(none)&{filter}"));
        Assert.Equal([smb.Id.ToString()], await ListAsync(DemoUsers.AcmeAdmin, $"figure=won&segment=smb&{filter}"));
        var summary = await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/summary?segment=(none)&{filter}", _ => true);
        Assert.Equal((1, 1.5m * 1_000), (summary.GetProperty("wonCount").GetInt32(), summary.GetProperty("wonAmount").GetDecimal()));
    }

    [Theory]
    [InlineData("", "figure")]
    [InlineData("figure=open", "figure")]
    [InlineData("figure=won&stageId=6a3c5f57-0000-4000-8000-000000000001", "stageId")]   // a stage narrows entered only
    [InlineData("figure=entered", "stageId")]
    [InlineData("figure=lost&cycleFrom=3", "cycleFrom")]                                    // a cycle range narrows won only
    [InlineData("figure=closed&cycleTo=30", "cycleTo")]
    [InlineData("figure=won&cycleFrom=-1", "cycleFrom")]
    [InlineData("figure=won&cycleTo=-1", "cycleTo")]
    [InlineData("figure=won&cycleFrom=10&cycleTo=5", "cycleTo")]
    [InlineData("figure=won&from=2018-03-01&to=2018-01-01", "to")]
    [InlineData("figure=won&period=month", "period")]
    [InlineData("figure=won&format=xml", "format")]
    [InlineData("figure=won&limit=0", "limit")]
    [InlineData("figure=won&limit=201", "limit")]
    [InlineData("figure=won&cursor=not-a-cursor", "cursor")]
    public async Task A_bad_figure_stage_cycle_period_or_page_is_a_400_naming_the_field(string query, string field)
    {
        using var client = await reporting.ReportingClientAsync(DemoUsers.Alice);
        var response = await client.GetAsync($"/api/reports/deals?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the problem names {field}: {problem}");
    }

    /// <summary>The scenario of the table, and a stage of a pipeline of Globex's.</summary>
    private async Task<(DealScenario Scenario, Dictionary<string, DealScenario.Deal> Deals, Guid GlobexStage)> PublishAsync()
    {
        var acme = new DealScenario(Guid.NewGuid(), Anchor);
        var globex = new DealScenario(Guid.NewGuid(), Anchor, DemoUsers.Globex, "eve");
        // Noon UTC of Paris day k; F7's close and F8's creation half an hour either side of a Paris midnight.
        static double Day(int k) => k + 0.5;
        var deals = new Dictionary<string, DealScenario.Deal>
        {
            ["F1"] = acme.Create("F1", 10_000, "EUR", Day(2)).Move(2, Day(5)).Move(3, Day(8)).Win(Day(9)),
            ["F2"] = acme.Create("F2", 20_000, "EUR", Day(3)).Move(3, Day(6)).Win(Day(11)),
            ["F3"] = acme.Create("F3", 3_000, "EUR", Day(1)).Move(2, Day(4)).Lose(Day(21), "Price"),
            ["F4"] = acme.Create("F4", 4_000, "EUR", Day(10), ownerId: DemoUsers.CarolId, teamId: DemoUsers.West).Win(Day(50)),
            ["F5"] = acme.Create("F5", 5_000, "EUR", Day(30), ownerId: DemoUsers.BobId, teamId: DemoUsers.East).Move(2, Day(32)),
            ["F6"] = acme.Create("F6", 6_000, "EUR", Day(-20)).Win(Day(15)),
            ["F7"] = acme.Create("F7", 7_000, "EUR", Day(40)).Win(58 + 23.5 / 24),
            ["F8"] = acme.Create("F8", 8_000, "EUR", -0.5 / 24).Lose(Day(25), "No budget"),
            ["F9"] = acme.Create("F9", 9_000, "EUR", Day(45)).Move(2, Day(47)).Move(4, Day(50)).Move(2, Day(52)),
            ["F10"] = acme.Create("F10", 1_000, "EUR", Day(-40)).Move(2, Day(-30)),
            ["F11"] = acme.Create("F11", 2_000, "EUR", Day(-401)).Win(Day(20)),
        };
        await reporting.PublishAsync([acme.Pipeline(), globex.Pipeline(), .. acme.Events]);
        await reporting.WaitUntilAppliedAsync(acme.Events);
        // The pipeline's stages come through another queue: until they are in, the funnel has no stages.
        await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/funnel?pipelineId={acme.PipelineId}&{Period}",
            r => r.GetProperty("stages").GetArrayLength() == 5 && r.GetProperty("stages")[0].GetProperty("entered").GetInt32() == 8);
        return (acme, deals, globex.Stages[0]);
    }

    /// <summary>Every deal a figure lists (one page of up to 200), as their ids.</summary>
    private async Task<string[]> ListAsync(string user, string query) =>
        (await ItemsAsync(user, query)).Select(i => i.GetProperty("opportunityId").GetString()!).ToArray();

    private async Task<List<JsonElement>> ItemsAsync(string user, string query)
    {
        var page = await reporting.ReportAsync(user, $"/api/reports/deals?{query}&limit=200", _ => true);
        Assert.Null(page.GetProperty("nextCursor").GetString());
        return page.GetProperty("items").EnumerateArray().ToList();
    }
}
