using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Contracts;
using Pipeline.Messaging.Organizations;
using Pipeline.Testing;

namespace Pipeline.Reporting.Tests;

/// <summary>
/// Reports follow the organisation's settings as identity publishes them: its currency (Globex: USD), its time zone
/// (Globex: New York) and its fiscal year; a converted total names what it could not convert.
/// </summary>
[Collection(ReportingCollection.Name)]
public sealed class OrganizationSettingsReportTests(ReportingServiceFixture reporting)
{
    private const string EveId = "b0000000-0000-0000-0000-00000000b001";
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    [Fact]
    public async Task Globex_reports_in_dollars_and_a_currency_without_a_rate_is_named_with_the_amounts_left_out()
    {
        var scenario = new DealScenario(Guid.NewGuid(), DateTimeOffset.UtcNow.AddDays(-30), DemoUsers.Globex, EveId);
        scenario.Create("Dollar deal", 12_000, "USD", 0, segment: "usd");
        scenario.Create("Dollar win", 3_000, "USD", 0, segment: "usd").Win(5);
        scenario.Create("Franc deal", 2_000, "CHF", 0, segment: "chf");
        scenario.Create("Franc win", 1_000, "CHF", 0, segment: "chf").Win(6);
        await reporting.PublishAsync([scenario.Pipeline(), .. scenario.Events]);
        await reporting.WaitUntilAppliedAsync(scenario.Events);
        var pipeline = $"pipelineId={scenario.PipelineId}";

        var dollars = await reporting.ReportAsync(DemoUsers.Eve, $"/api/reports/summary?{pipeline}&segment=usd", r => r.GetProperty("wonCount").GetInt32() == 1);
        Assert.Equal(("USD", 12_000m, 1_200m, 3_000m), (dollars.GetProperty("currency").GetString(), dollars.GetProperty("openAmount").GetDecimal(),
            dollars.GetProperty("weightedAmount").GetDecimal(), dollars.GetProperty("wonAmount").GetDecimal()));
        Assert.Empty(dollars.GetProperty("missingRates").EnumerateArray());
        Assert.Empty(dollars.GetProperty("leftOut").EnumerateArray());
        Assert.Empty(dollars.GetProperty("incompleteFigures").EnumerateArray());

        // Both currencies: the dollars are converted, the francs are named with what they would have added.
        var both = await reporting.ReportAsync(DemoUsers.Eve, $"/api/reports/summary?{pipeline}", r => r.GetProperty("wonCount").GetInt32() == 2);
        Assert.Equal((12_000m, 3_000m), (both.GetProperty("openAmount").GetDecimal(), both.GetProperty("wonAmount").GetDecimal()));
        Assert.Equal(["CHF"], both.GetProperty("missingRates").EnumerateArray().Select(c => c.GetString()));
        var leftOut = Assert.Single(both.GetProperty("leftOut").EnumerateArray());
        Assert.Equal(("CHF", 2_000m, 200m, 1_000m, 0m), (leftOut.GetProperty("currency").GetString(), leftOut.GetProperty("openAmount").GetDecimal(),
            leftOut.GetProperty("weightedAmount").GetDecimal(), leftOut.GetProperty("wonAmount").GetDecimal(), leftOut.GetProperty("lostAmount").GetDecimal()));
        Assert.Equal(["openAmount", "weightedAmount", "wonAmount", "salesVelocityPerDay"], both.GetProperty("incompleteFigures").EnumerateArray().Select(f => f.GetString()));

        // Francs alone: nothing converts, and the figures say so rather than 0.
        var francs = await reporting.ReportAsync(DemoUsers.Eve, $"/api/reports/summary?{pipeline}&segment=chf", _ => true);
        Assert.Equal(JsonValueKind.Null, francs.GetProperty("openAmount").ValueKind);
        Assert.Equal(JsonValueKind.Null, francs.GetProperty("wonAmount").ValueKind);
        Assert.Equal(JsonValueKind.Null, francs.GetProperty("salesVelocityPerDay").ValueKind);
        Assert.Equal((1, 1), (francs.GetProperty("openCount").GetInt32(), francs.GetProperty("wonCount").GetInt32()));

        // The forecast and win/loss say the same of their months and groups.
        var forecast = await reporting.ReportAsync(DemoUsers.Eve, $"/api/reports/forecast?{pipeline}&months=1", _ => true);
        var undated = forecast.GetProperty("undated");
        Assert.Equal((2, 12_000m), (undated.GetProperty("count").GetInt32(), undated.GetProperty("openAmount").GetDecimal()));
        Assert.Equal(["openAmount", "weightedAmount"], undated.GetProperty("incompleteFigures").EnumerateArray().Select(f => f.GetString()));
        var winLoss = await reporting.ReportAsync(DemoUsers.Eve, $"/api/reports/win-loss?{pipeline}&groupBy=segment", _ => true);
        var chf = winLoss.GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("key").GetString() == "chf");
        Assert.Equal((1, JsonValueKind.Null), (chf.GetProperty("won").GetInt32(), chf.GetProperty("wonAmount").ValueKind));
        Assert.Equal(1_000m, Assert.Single(winLoss.GetProperty("leftOut").EnumerateArray()).GetProperty("wonAmount").GetDecimal());
    }

    [Fact]
    public async Task Changing_Acmes_currency_converts_every_figure_into_the_new_one_at_the_dated_rates()
    {
        var scenario = new DealScenario(Guid.NewGuid(), DateTimeOffset.UtcNow.AddDays(-10));
        scenario.Create("Euro deal", 1_000, "EUR", 0);
        scenario.Create("Pound deal", 500, "GBP", 0);
        // Acme's table is quoted in euros: 1 GBP = 1.25 EUR.
        await reporting.PublishAsync([new ExchangeRateChanged
        {
            OrganizationId = DemoUsers.Acme, Currency = "GBP", OrganizationCurrency = "EUR", Rate = 1.25m, EffectiveFrom = new DateOnly(2020, 1, 1),
        }, scenario.Pipeline(), .. scenario.Events]);
        await reporting.WaitUntilAppliedAsync(scenario.Events);
        var url = $"/api/reports/summary?pipelineId={scenario.PipelineId}";
        var inEuros = await reporting.ReportAsync(DemoUsers.AcmeAdmin, url, r => r.GetProperty("openAmount").GetDecimal() == 1_625m);
        Assert.Equal("EUR", inEuros.GetProperty("currency").GetString());

        var before = await reporting.ChangeOrganizationAsync(DemoUsers.AcmeAdmin, s => s with { Currency = "GBP" });
        try
        {
            // The same rates, crossed: 1 EUR = 1 ÷ 1.25 GBP. History is not rewritten, only converted again.
            var inPounds = await reporting.ReportAsync(DemoUsers.AcmeAdmin, url, r => r.GetProperty("currency").GetString() == "GBP");
            Assert.Equal((1_300m, 130m), (inPounds.GetProperty("openAmount").GetDecimal(), inPounds.GetProperty("weightedAmount").GetDecimal()));
            Assert.Empty(inPounds.GetProperty("missingRates").EnumerateArray());
        }
        finally
        {
            await reporting.ChangeOrganizationAsync(DemoUsers.AcmeAdmin, s => s with { Currency = before.Currency });
        }

        Assert.Equal(1_625m, (await reporting.ReportAsync(DemoUsers.AcmeAdmin, url, r => r.GetProperty("currency").GetString() == "EUR")).GetProperty("openAmount").GetDecimal());
    }

    [Fact]
    public async Task A_rate_table_replaced_in_another_currency_drops_the_old_rates_and_late_copies_of_them()
    {
        var scenario = new DealScenario(Guid.NewGuid(), DateTimeOffset.UtcNow.AddDays(-10), DemoUsers.Globex, EveId);
        scenario.Create("Pound deal", 100, "GBP", 0);
        scenario.Create("Euro deal", 900, "EUR", 0);
        var replaced = DateTimeOffset.UtcNow;
        ExchangeRateChanged Rate(string currency, string quotedIn, decimal rate, DateTimeOffset sent) => new()
        {
            OrganizationId = DemoUsers.Globex, Currency = currency, OrganizationCurrency = quotedIn, Rate = rate, EffectiveFrom = new DateOnly(2020, 1, 1), OccurredAt = sent,
        };
        var url = $"/api/reports/summary?pipelineId={scenario.PipelineId}";

        // Quoted in dollars: 1 GBP = 1.30 USD, 1 EUR = 1.10 USD (and the dollar at 1, which says nothing).
        await reporting.PublishAsync([Rate("GBP", "USD", 1.30m, replaced.AddMinutes(-5)), Rate("EUR", "USD", 1.10m, replaced.AddMinutes(-5)),
            Rate("USD", "USD", 1, replaced.AddMinutes(-5)), scenario.Pipeline(), .. scenario.Events]);
        await reporting.WaitUntilAppliedAsync(scenario.Events);
        var quotedInDollars = await reporting.ReportAsync(DemoUsers.Eve, url, r => r.GetProperty("openAmount").GetDecimal() == 130m + 990m);
        Assert.Empty(quotedInDollars.GetProperty("missingRates").EnumerateArray());

        // An admin replaces the table, quoted in euros, without the pound; then a late copy of the old pound rate arrives.
        await reporting.PublishAsync([Rate("USD", "EUR", 0.90m, replaced)]);
        await reporting.PublishAsync([Rate("GBP", "USD", 1.30m, replaced.AddMinutes(-4))]);
        var quotedInEuros = await reporting.ReportAsync(DemoUsers.Eve, url, r => r.GetProperty("missingRates").GetArrayLength() == 1);
        Assert.Equal(["GBP"], quotedInEuros.GetProperty("missingRates").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(1_000m, quotedInEuros.GetProperty("openAmount").GetDecimal());   // 900 EUR at 1 ÷ 0.90
    }

    [Fact]
    public async Task A_deal_won_at_2330_in_New_York_counts_in_New_Yorks_month_and_a_move_to_utc_recuts_every_day()
    {
        var scenario = new DealScenario(Guid.NewGuid(), NewYorkTime(2025, 1, 10, 12, 0), DemoUsers.Globex, EveId);
        var deal = scenario.Create("Last-day win", 5_000, "USD", 0);
        deal.Move(2, Days(scenario, NewYorkTime(2025, 1, 20, 23, 30))).Win(Days(scenario, NewYorkTime(2025, 1, 31, 23, 30)));   // 1 February, 04:30 UTC
        await reporting.PublishAsync([scenario.Pipeline(), .. scenario.Events]);
        await reporting.WaitUntilAppliedAsync(scenario.Events);
        var pipeline = $"pipelineId={scenario.PipelineId}";
        var january = $"/api/reports/summary?{pipeline}&from=2025-01-01&to=2025-01-31";
        var february = $"/api/reports/summary?{pipeline}&from=2025-02-01&to=2025-02-28";
        var funnel = $"/api/reports/funnel?{pipeline}&from=2025-01-01&to=2025-01-31";
        var reports = new[] { january, february, funnel, $"/api/reports/summary?{pipeline}&from=2025-01-01&to=2025-03-31", $"/api/reports/win-loss?{pipeline}&from=2025-01-01&to=2025-03-31" };

        var inNewYork = await reporting.ReportAsync(DemoUsers.Eve, january, r => r.GetProperty("wonCount").GetInt32() == 1);
        Assert.Equal((5_000m, 21.0), (inNewYork.GetProperty("wonAmount").GetDecimal(), inNewYork.GetProperty("averageSalesCycleDays").GetDouble()));
        Assert.Equal(new DateTimeOffset(2025, 1, 1, 5, 0, 0, TimeSpan.Zero), inNewYork.GetProperty("from").GetDateTimeOffset());   // New York's midnight
        Assert.Equal(0, (await reporting.ReportAsync(DemoUsers.Eve, february, _ => true)).GetProperty("wonCount").GetInt32());
        Assert.Equal((10.0, 11.0), DaysInStages(await reporting.ReportAsync(DemoUsers.Eve, funnel, _ => true)));   // 10–20 and 20–31 January
        var live = new List<string>();
        foreach (var report in reports)
        {
            live.Add(Figures(await reporting.ReportAsync(DemoUsers.Eve, report, _ => true)));
        }

        var before = await reporting.ChangeOrganizationAsync(DemoUsers.Eve, s => s with { TimeZone = "UTC" });
        try
        {
            // Re-cut in UTC: won on 1 February, after 22 days; in the first stage 10–21 January, in the second 21 January – 1 February.
            Assert.Equal(0, (await reporting.ReportAsync(DemoUsers.Eve, january, _ => true)).GetProperty("wonCount").GetInt32());
            var inUtc = await reporting.ReportAsync(DemoUsers.Eve, february, _ => true);
            Assert.Equal((1, 22.0), (inUtc.GetProperty("wonCount").GetInt32(), inUtc.GetProperty("averageSalesCycleDays").GetDouble()));
            Assert.Equal(new DateTimeOffset(2025, 2, 1, 0, 0, 0, TimeSpan.Zero), inUtc.GetProperty("from").GetDateTimeOffset());
            Assert.Equal((11.0, 11.0), DaysInStages(await reporting.ReportAsync(DemoUsers.Eve, funnel, _ => true)));
        }
        finally
        {
            await reporting.ChangeOrganizationAsync(DemoUsers.Eve, s => s with { TimeZone = before.TimeZone });
        }

        // Back in New York, rebuilt from the events: the figures the live projection gave.
        var rebuilt = new List<string>();
        foreach (var report in reports)
        {
            rebuilt.Add(Figures(await reporting.ReportAsync(DemoUsers.Eve, report, _ => true)));
        }

        Assert.Equal(live, rebuilt);
    }

    [Fact]
    public async Task Fiscal_years_and_quarters_follow_the_organisations_first_month_and_its_time_zone()
    {
        var scenario = new DealScenario(Guid.NewGuid(), NewYorkTime(2025, 3, 1, 9, 0), DemoUsers.Globex, EveId);
        scenario.Create("Year end", 1_000, "USD", 0).Win(Days(scenario, NewYorkTime(2025, 3, 31, 23, 30)));   // 1 April in UTC
        scenario.Create("First day", 2_000, "USD", 0).Win(Days(scenario, NewYorkTime(2025, 4, 1, 12, 0)));
        scenario.Create("Summer", 4_000, "USD", 0).Win(Days(scenario, NewYorkTime(2025, 7, 15, 12, 0)));
        await reporting.PublishAsync([scenario.Pipeline(), .. scenario.Events]);
        await reporting.WaitUntilAppliedAsync(scenario.Events);
        var summary = $"/api/reports/summary?pipelineId={scenario.PipelineId}";

        var before = await reporting.ChangeOrganizationAsync(DemoUsers.Eve, s => s with { FiscalYearStartMonth = 4 });
        try
        {
            var year = await reporting.ReportAsync(DemoUsers.Eve, $"{summary}&period=fiscal-year&from=2025-05-10", _ => true);
            Assert.Equal((2, 6_000m), (year.GetProperty("wonCount").GetInt32(), year.GetProperty("wonAmount").GetDecimal()));
            Assert.Equal((NewYorkTime(2025, 4, 1, 0, 0), NewYorkTime(2026, 4, 1, 0, 0)), Period(year));

            var quarter = await reporting.ReportAsync(DemoUsers.Eve, $"{summary}&period=fiscal-quarter&from=2025-05-10", _ => true);
            Assert.Equal((1, 2_000m), (quarter.GetProperty("wonCount").GetInt32(), quarter.GetProperty("wonAmount").GetDecimal()));
            Assert.Equal((NewYorkTime(2025, 4, 1, 0, 0), NewYorkTime(2025, 7, 1, 0, 0)), Period(quarter));

            var previousYear = await reporting.ReportAsync(DemoUsers.Eve, $"{summary}&period=fiscal-year&from=2025-03-15", _ => true);
            Assert.Equal((1, 1_000m), (previousYear.GetProperty("wonCount").GetInt32(), previousYear.GetProperty("wonAmount").GetDecimal()));

            // Without from: the fiscal year that contains today.
            var calendar = OrganizationCalendar.For("America/New_York", 4);
            var (from, to) = calendar.FiscalYear(calendar.Today(TimeProvider.System));
            Assert.Equal((calendar.StartOf(from), calendar.StartOf(to)), Period(await reporting.ReportAsync(DemoUsers.Eve, $"{summary}&period=fiscal-year", _ => true)));

            using var eve = await reporting.ReportingClientAsync(DemoUsers.Eve);
            var withTo = await eve.GetAsync($"{summary}&period=fiscal-year&to=2025-05-01");
            Assert.Equal(HttpStatusCode.BadRequest, withTo.StatusCode);
            Assert.True((await withTo.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("to", out _));
            var unknown = await eve.GetAsync($"{summary}&period=fortnight");
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
            Assert.True((await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("period", out _));
        }
        finally
        {
            await reporting.ChangeOrganizationAsync(DemoUsers.Eve, s => s with { FiscalYearStartMonth = before.FiscalYearStartMonth });
        }
    }

    private static DateTimeOffset NewYorkTime(int year, int month, int day, int hour, int minute)
    {
        var local = new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, NewYork.GetUtcOffset(local)).ToUniversalTime();
    }

    private static double Days(DealScenario scenario, DateTimeOffset at) => (at - scenario.Day(0)).TotalDays;

    private static (DateTimeOffset From, DateTimeOffset To) Period(JsonElement report) =>
        (report.GetProperty("from").GetDateTimeOffset(), report.GetProperty("to").GetDateTimeOffset());

    private static (double First, double Second) DaysInStages(JsonElement funnel)
    {
        var stages = funnel.GetProperty("stages").EnumerateArray().ToArray();
        return (stages[0].GetProperty("averageDaysInStage").GetDouble(), stages[1].GetProperty("averageDaysInStage").GetDouble());
    }

    /// <summary>A report's figures, without its freshness stamp, which moves between two readings.</summary>
    private static string Figures(JsonElement report) =>
        System.Text.RegularExpressions.Regex.Replace(report.GetRawText(), "\"asOf\":(\"[^\"]*\"|null)", "");
}
