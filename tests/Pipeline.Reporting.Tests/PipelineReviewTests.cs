using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Contracts;
using Pipeline.Testing;

namespace Pipeline.Reporting.Tests;

/// <summary>
/// The pipeline review (<c>GET /api/reports/changes</c>) of a week whose every figure can be checked by hand. Days are
/// counted from the anchor A, Monday 2019-03-04 00:00 UTC (no other test has deals then); the week under review is
/// [A+7, A+14), Monday 11 to Monday 18 March; an event on day d.5 is at noon UTC, 13:00 in Paris (Acme's days).
/// Stages S1–S5 at 10, 25, 50, 75 and 90 %. Rates: 1 CHF = 0.90 EUR, and 1.00 EUR from day 10 (14 March); no rate for SEK.
///
///  deal  owner       amount      before the week              in the week                                  after
///  R1    Alice (E)   10,000 EUR  1 S1, 2 S3                   8.5 S2 (back)
///  R2    Alice        20,000 EUR  2 S1, decides 30 April       9.5 decision pushed to 31 May
///  R3    Alice         5,000 CHF  3 S1, decides 30 June        11.5 decision pulled to 15 May, 12.4 S4
///  R4    Alice         8,000 EUR  4 S1                         8.55 amount 12,000, 12.5 amount 9,000
///  R5    Alice        15,000 EUR  5 S1, 6 S5                   10.5 won
///  R6    Alice         4,000 CHF  1 S1, 2 S2                   7.5 lost "Price"
///  R7    Alice         6,000 EUR                               9.6 created in S1, 13.5 S2
///  R8    Alice         7,000 EUR  1 S1, 3 S2                                                                  15 S3
///  R9    Alice        10,000 SEK                               8.6 created in S1
///  R10   Bob (E)       3,000 EUR  0.5 S1                       12.6 won
///  R11   Carol (W)     2,000 EUR  1 S1                         8.7 S2
///  R12   Eve (Globex)  1,000 USD                               9.5 created in S1 (another organisation)
///  R13   Alice         1,000 EUR  1 S1, 3 lost                 11.6 reopened in S3
///
/// Open pipeline at until minus at since (EUR): R4 +1,000, R5 −15,000, R6 −4,000 CHF × 0.90 = −3,600, R7 +6,000,
/// R10 −3,000, R13 +1,000 = −13,600 (and 10,000 SEK left out). Weighted: R1 −2,500, R3 +3,250 CHF × 1.00, R4 +100,
/// R5 −13,500, R6 −900, R7 +600 + 900, R10 −300, R11 +300, R13 +500 = −11,550 (and 1,000 SEK left out).
/// </summary>
[Collection(ReportingCollection.Name)]
public sealed class PipelineReviewTests(ReportingServiceFixture reporting)
{
    private static readonly DateTimeOffset Anchor = new(2019, 3, 4, 0, 0, 0, TimeSpan.Zero);
    private const string Week = "since=2019-03-11T00:00:00Z&until=2019-03-18T00:00:00Z";

    [Fact]
    public async Task A_week_of_changes_matches_the_hand_computed_review_for_an_admin_and_a_rep_sees_only_the_teams_deals()
    {
        var (globexPipeline, deals) = await PublishWeekAsync();

        var admin = await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/changes?{Week}&limit=200", r => r.GetProperty("items").GetArrayLength() == 11);
        Assert.Equal((new DateTimeOffset(2019, 3, 11, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2019, 3, 18, 0, 0, 0, TimeSpan.Zero), "EUR"),
            (admin.GetProperty("since").GetDateTimeOffset(), admin.GetProperty("until").GetDateTimeOffset(), admin.GetProperty("currency").GetString()));
        var totals = admin.GetProperty("totals");
        Assert.Equal(
            new Dictionary<string, int> { ["created"] = 2, ["won"] = 2, ["lost"] = 1, ["reopened"] = 1, ["movedForward"] = 3, ["movedBackward"] = 1, ["pushed"] = 1, ["pulled"] = 1 },
            Counts(totals));
        Assert.Equal((4_000m, -3_000m, -13_600m, -11_550m), Amounts(totals));
        Assert.Equal(["SEK"], admin.GetProperty("missingRates").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(["openAmountDelta", "weightedAmountDelta"], admin.GetProperty("incompleteFigures").EnumerateArray().Select(c => c.GetString()));
        var leftOut = Assert.Single(admin.GetProperty("leftOut").EnumerateArray());
        Assert.Equal(("SEK", 0m, 0m, 10_000m, 1_000m), (leftOut.GetProperty("currency").GetString(), leftOut.GetProperty("amountUp").GetDecimal(),
            leftOut.GetProperty("amountDown").GetDecimal(), leftOut.GetProperty("openAmountDelta").GetDecimal(), leftOut.GetProperty("weightedAmountDelta").GetDecimal()));

        // Latest change first; R8 changed only before and after the week, Globex's R12 is another organisation's.
        var items = admin.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(
            new[] { "R7", "R10", "R4", "R3", "R13", "R5", "R2", "R11", "R9", "R1", "R6" }.Select(d => deals[d].Id),
            items.Select(i => i.GetProperty("opportunityId").GetGuid()));
        Assert.Null(admin.GetProperty("nextCursor").GetString());
        var byDeal = items.ToDictionary(i => i.GetProperty("opportunityId").GetGuid(), i => i.GetProperty("changes").EnumerateArray().Select(Change).ToList());
        Assert.Equal([("movedBackward", "S3", "S2", null, On(8.5))], byDeal[deals["R1"].Id]);
        Assert.Equal([("pushed", "2019-04-30", "2019-05-31", null, On(9.5))], byDeal[deals["R2"].Id]);
        Assert.Equal([("pulled", "2019-06-30", "2019-05-15", null, On(11.5)), ("movedForward", "S1", "S4", null, On(12.4))], byDeal[deals["R3"].Id]);
        Assert.Equal([("amountUp", "8000", "12000", "EUR", On(8.55)), ("amountDown", "12000", "9000", "EUR", On(12.5))], byDeal[deals["R4"].Id]);
        Assert.Equal([("won", "S5", null, null, On(10.5))], byDeal[deals["R5"].Id]);
        Assert.Equal([("lost", "S2", "Price", null, On(7.5))], byDeal[deals["R6"].Id]);
        Assert.Equal([("created", null, "S1", null, On(9.6)), ("movedForward", "S1", "S2", null, On(13.5))], byDeal[deals["R7"].Id]);
        Assert.Equal([("created", null, "S1", null, On(8.6))], byDeal[deals["R9"].Id]);
        Assert.Equal([("won", "S1", null, null, On(12.6))], byDeal[deals["R10"].Id]);
        Assert.Equal([("reopened", "lost", "S3", null, On(11.6))], byDeal[deals["R13"].Id]);
        var r10 = items.Single(i => i.GetProperty("opportunityId").GetGuid() == deals["R10"].Id);
        Assert.Equal(("R10", DemoUsers.BobId), (r10.GetProperty("title").GetString(), r10.GetProperty("ownerId").GetString()));

        // Alice (rep, team East) sees her team's deals, Bob's too, not Carol's (team West): R11's move is not hers to see.
        var alice = await reporting.ReportAsync(DemoUsers.Alice, $"/api/reports/changes?{Week}", _ => true);
        Assert.Equal(10, alice.GetProperty("items").GetArrayLength());
        Assert.DoesNotContain(deals["R11"].Id, alice.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("opportunityId").GetGuid()));
        Assert.Equal(2, alice.GetProperty("totals").GetProperty("movedForward").GetInt32());
        Assert.Equal((4_000m, -3_000m, -13_600m, -11_850m), Amounts(alice.GetProperty("totals")));

        // Narrowed to one owner (me) and to Carol's team, as every report.
        var bob = await reporting.ReportAsync(DemoUsers.Bob, $"/api/reports/changes?{Week}&ownerId=me", _ => true);
        Assert.Equal([deals["R10"].Id], bob.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("opportunityId").GetGuid()));
        Assert.Equal((0m, 0m, -3_000m, -300m), Amounts(bob.GetProperty("totals")));
        var west = await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/changes?{Week}&teamId={DemoUsers.West}", _ => true);
        Assert.Equal([deals["R11"].Id], west.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("opportunityId").GetGuid()));

        // Globex's admin sees Globex's deal only; Acme's admin asking for Globex's pipeline sees nothing.
        var globex = await reporting.ReportAsync(DemoUsers.Eve, $"/api/reports/changes?{Week}", _ => true);
        Assert.Equal([deals["R12"].Id], globex.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("opportunityId").GetGuid()));
        Assert.Equal(("USD", 1_000m), (globex.GetProperty("currency").GetString(), globex.GetProperty("totals").GetProperty("openAmountDelta").GetDecimal()));
        var foreign = await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/changes?{Week}&pipelineId={globexPipeline}", _ => true);
        Assert.Empty(foreign.GetProperty("items").EnumerateArray());
        Assert.Equal(0, foreign.GetProperty("totals").GetProperty("created").GetInt32());

        // Pages of 4 (keyset: a cursor past the last deal of the page), the totals the same on each.
        var pages = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/changes?{Week}&limit=4" + (cursor is null ? "" : $"&cursor={cursor}"), _ => true);
            Assert.InRange(page.GetProperty("items").GetArrayLength(), 1, 4);
            Assert.Equal((4_000m, -3_000m, -13_600m, -11_550m), Amounts(page.GetProperty("totals")));
            pages.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("opportunityId").GetGuid()));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        Assert.Equal(items.Select(i => i.GetProperty("opportunityId").GetGuid()), pages);

        // 16 March alone, given as days (Acme's midnights: 23:00 UTC before), holds R3's move, R4's decrease and R10's win.
        var days = await reporting.ReportAsync(DemoUsers.AcmeAdmin, "/api/reports/changes?since=2019-03-16&until=2019-03-17", _ => true);
        Assert.Equal(new DateTimeOffset(2019, 3, 15, 23, 0, 0, TimeSpan.Zero), days.GetProperty("since").GetDateTimeOffset());
        Assert.Equal(new[] { "R10", "R4", "R3" }.Select(d => deals[d].Id), days.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("opportunityId").GetGuid()));
    }

    [Fact]
    public async Task By_default_the_review_covers_the_last_seven_days_and_exports_as_csv()
    {
        var scenario = new DealScenario(Guid.NewGuid(), DateTimeOffset.UtcNow.AddDays(-10));
        var fresh = scenario.Create("Fresh, \"big\" deal", 2_500, "EUR", 7);          // 3 days ago
        var moved = scenario.Create("Moved deal", 1_000, "EUR", 0).Move(3, 8);     // created 10 days ago, moved 2 days ago
        scenario.Create("Quiet deal", 4_000, "EUR", 1).Move(2, 2);                 // nothing in the last 7 days
        await reporting.PublishAsync([scenario.Pipeline(), .. scenario.Events]);
        await reporting.WaitUntilAppliedAsync(scenario.Events);

        var url = $"/api/reports/changes?pipelineId={scenario.PipelineId}";
        var review = await reporting.ReportAsync(DemoUsers.Maria, url, r => r.GetProperty("items").GetArrayLength() == 2);
        var (since, until) = (review.GetProperty("since").GetDateTimeOffset(), review.GetProperty("until").GetDateTimeOffset());
        Assert.Equal(TimeSpan.FromDays(7), until - since);
        Assert.InRange(until, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow);
        Assert.Equal([moved.Id, fresh.Id], review.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("opportunityId").GetGuid()));
        Assert.Equal((1, 1), (review.GetProperty("totals").GetProperty("created").GetInt32(), review.GetProperty("totals").GetProperty("movedForward").GetInt32()));
        Assert.Equal((0m, 0m, 2_500m, 250m + 400m), Amounts(review.GetProperty("totals")));   // fresh at 10 %; moved from 10 to 50 %

        using var client = await reporting.ReportingClientAsync(DemoUsers.Maria);
        var csv = await client.GetAsync($"{url}&format=csv");
        Assert.Equal(("text/csv", "changes.csv"), (csv.Content.Headers.ContentType?.MediaType, csv.Content.Headers.ContentDisposition?.FileName?.Trim('"')));
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("opportunityId,title,ownerId,kind,from,to,currency,at", lines[0]);
        Assert.StartsWith($"{moved.Id},Moved deal,{DemoUsers.AliceId},movedForward,S1,S3,,", lines[1]);
        Assert.StartsWith($"{fresh.Id},\"Fresh, \"\"big\"\" deal\",{DemoUsers.AliceId},created,,S1,,", lines[2]);
        Assert.Equal(3, lines.Length);
    }

    [Theory]
    [InlineData("since=last-week", "since")]
    [InlineData("until=2026-12-04T10:00:00", "until")]                                        // an instant without its offset
    [InlineData("since=2026-12-04T10:00:00Z&until=2026-12-04T09:00:00Z", "since")]            // since after until
    [InlineData("since=2025-01-01&until=2026-01-02", "since")]                                // more than a year
    [InlineData("cursor=not-a-cursor", "cursor")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("format=xml", "format")]
    public async Task A_bad_window_page_or_format_is_a_400_naming_the_field(string query, string field)
    {
        using var client = await reporting.ReportingClientAsync(DemoUsers.Alice);
        var response = await client.GetAsync($"/api/reports/changes?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the problem names {field}: {problem}");
    }

    private async Task<(Guid GlobexPipeline, Dictionary<string, DealScenario.Deal> Deals)> PublishWeekAsync()
    {
        var acme = new DealScenario(Guid.NewGuid(), Anchor);
        var globex = new DealScenario(Guid.NewGuid(), Anchor, DemoUsers.Globex, "eve");
        var april30 = new DateOnly(2019, 4, 30);
        var june30 = new DateOnly(2019, 6, 30);
        var deals = new Dictionary<string, DealScenario.Deal>
        {
            ["R1"] = acme.Create("R1", 10_000, "EUR", 1).Move(3, 2).Move(2, 8.5),
            ["R2"] = acme.Create("R2", 20_000, "EUR", 2, decision: april30).PushDecision(april30, new DateOnly(2019, 5, 31), 9.5),
            ["R3"] = acme.Create("R3", 5_000, "CHF", 3, decision: june30).PushDecision(june30, new DateOnly(2019, 5, 15), 11.5).Move(4, 12.4),
            ["R4"] = acme.Create("R4", 8_000, "EUR", 4).ChangeAmount(12_000, 8.55).ChangeAmount(9_000, 12.5),
            ["R5"] = acme.Create("R5", 15_000, "EUR", 5).Move(5, 6).Win(10.5),
            ["R6"] = acme.Create("R6", 4_000, "CHF", 1).Move(2, 2).Lose(7.5, "Price"),
            ["R7"] = acme.Create("R7", 6_000, "EUR", 9.6).Move(2, 13.5),
            ["R8"] = acme.Create("R8", 7_000, "EUR", 1).Move(2, 3).Move(3, 15),
            ["R9"] = acme.Create("R9", 10_000, "SEK", 8.6),
            ["R10"] = acme.Create("R10", 3_000, "EUR", 0.5, ownerId: DemoUsers.BobId, teamId: DemoUsers.East).Win(12.6),
            ["R11"] = acme.Create("R11", 2_000, "EUR", 1, ownerId: DemoUsers.CarolId, teamId: DemoUsers.West).Move(2, 8.7),
            ["R12"] = globex.Create("R12", 1_000, "USD", 9.5),
            ["R13"] = acme.Create("R13", 1_000, "EUR", 1).Lose(3, "Timing").Reopen("lost", 3, 11.6),
        };
        IntegrationMessage[] rates =
        [
            new ExchangeRateChanged { OrganizationId = DemoUsers.Acme, Currency = "CHF", OrganizationCurrency = "EUR", Rate = 0.9m, EffectiveFrom = new DateOnly(2018, 1, 1) },
            new ExchangeRateChanged { OrganizationId = DemoUsers.Acme, Currency = "CHF", OrganizationCurrency = "EUR", Rate = 1.0m, EffectiveFrom = new DateOnly(2019, 3, 14) },
        ];
        await reporting.PublishAsync([.. rates, acme.Pipeline(), globex.Pipeline(), .. acme.Events, .. globex.Events]);
        await reporting.WaitUntilAppliedAsync([.. acme.Events, .. globex.Events]);
        return (globex.PipelineId, deals);
    }

    /// <summary>Day <paramref name="day"/> of the scenario, to the microsecond PostgreSQL keeps.</summary>
    private static DateTimeOffset On(double day) => new(Anchor.AddDays(day).Ticks / 10 * 10, TimeSpan.Zero);

    private static Dictionary<string, int> Counts(JsonElement totals) =>
        new[] { "created", "won", "lost", "reopened", "movedForward", "movedBackward", "pushed", "pulled" }.ToDictionary(k => k, k => totals.GetProperty(k).GetInt32());

    private static (decimal Up, decimal Down, decimal Open, decimal Weighted) Amounts(JsonElement totals) =>
        (totals.GetProperty("amountUp").GetDecimal(), totals.GetProperty("amountDown").GetDecimal(),
         totals.GetProperty("openAmountDelta").GetDecimal(), totals.GetProperty("weightedAmountDelta").GetDecimal());

    private static (string? Kind, string? From, string? To, string? Currency, DateTimeOffset At) Change(JsonElement change) =>
        (change.GetProperty("kind").GetString(), change.GetProperty("from").GetString(), change.GetProperty("to").GetString(),
         change.GetProperty("currency").GetString(), change.GetProperty("at").GetDateTimeOffset());
}
