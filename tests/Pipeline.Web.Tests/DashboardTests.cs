using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Pipeline.Testing;
using Pipeline.Web.Domain;
using static Microsoft.Playwright.Assertions;
using static Pipeline.Web.Tests.BoardTests;

namespace Pipeline.Web.Tests;

/// <summary>The KPI dashboard in a real browser: its figures are the reporting API's, its charts open the deals behind them.</summary>
[Collection(WebCollection.Name)]
public sealed class DashboardTests(WebSystem web) : BrowserTest(web)
{
    // The reporting service is fed by events: a deal's figures arrive a moment after its change, or minutes after it
    // while the demo import's events are still being projected (the first tests after the system starts).
    private static readonly TimeSpan Projected = TimeSpan.FromMinutes(4);

    private static readonly string[] Kpis = ["conversion", "win-rate", "average-cycle", "median-cycle", "velocity", "open", "weighted"];

    [Fact]
    public async Task The_tiles_show_the_reporting_apis_figures_for_team_east_in_the_fiscal_quarter()
    {
        using var admin = await Web.ApiAsAsync("admin@acme.test");
        var east = (await admin.GetFromJsonAsync<JsonElement>("/api/teams")).EnumerateArray()
            .Single(t => t.GetProperty("name").GetString() == "East").GetProperty("id").GetString()!;
        var summaryPath = $"/api/reports/summary?period=fiscal-quarter&teamId={east}";
        // A deal of alice's (team East) won now: the quarter has a won deal, whatever the demo data holds.
        var wonBefore = (await admin.GetFromJsonAsync<JsonElement>(summaryPath)).GetProperty("wonCount").GetInt32();
        using var alice = await Web.ApiAsAsync(WebSystem.Alice);
        var id = await CreateDealAsync(alice, Unique("Quarter win"), 21_000m, null);
        (await alice.PostAsync($"/api/opportunities/{id}/win", null)).EnsureSuccessStatusCode();
        await Eventually.Until(async () => (await admin.GetFromJsonAsync<JsonElement>(summaryPath)).GetProperty("wonCount").GetInt32() > wonBefore,
            Projected, "the won deal is in the quarter's figures");

        var page = await Web.SignInAsync("admin@acme.test", path: $"/dashboard?period=fiscal-quarter&team={east}");
        await DashboardReadyAsync(page);

        // The page and the API read at two moments: other tests' deals may land between, so both are read again until they agree.
        var (expected, shown) = await Eventually.Until(async () =>
        {
            var summary = await admin.GetFromJsonAsync<JsonElement>(summaryPath);
            await page.ReloadAsync();
            await DashboardReadyAsync(page);
            return (Tiles(summary, CultureInfo.GetCultureInfo("en-US")), await ShownTilesAsync(page));
        }, figures => figures.Item1.SequenceEqual(figures.Item2), Projected, "the tiles show the API's figures");
        Assert.Equal(expected, shown);
        Assert.NotEqual("0.0%", shown[1]);
        await Expect(page.Locator("[data-testid=as-of]")).ToContainTextAsync("Figures as of");
        await page.ScreenshotAsync(new() { Path = Path.Combine(WebSystem.Artefacts, "dashboard.png"), FullPage = true });
    }

    [Fact]
    public async Task A_forecast_month_and_its_bar_open_the_list_of_the_deals_decided_in_it()
    {
        using var api = await Web.ApiAsAsync(WebSystem.Alice);
        var segment = Unique("drill").Replace(' ', '-');
        var next = Today().AddMonths(1);
        var title = Unique("Next month's decision");
        await CreateDealAsync(api, title, 8_000m, new DateOnly(next.Year, next.Month, 15), segment);
        await CreateDealAsync(api, Unique("Later decision"), 5_000m, new DateOnly(2031, 6, 30), segment);
        var month = next.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        await Eventually.Until(async () => (await api.GetFromJsonAsync<JsonElement>($"/api/reports/forecast?segment={segment}")).GetProperty("months")
            .EnumerateArray().Any(m => m.GetProperty("month").GetString() == month && m.GetProperty("count").GetInt32() == 1), Projected, "the deal is in the forecast");

        var page = await Web.SignInAsync(WebSystem.Alice, path: $"/dashboard?segment={segment}");
        await DashboardReadyAsync(page);
        var row = page.Locator($"[data-report=forecast] tr[data-month='{month}']");
        await Expect(row.Locator("td.num").First).ToHaveTextAsync("1");
        await Expect(row.Locator("td.num").Nth(1)).ToHaveTextAsync("€8,000");

        await row.GetByRole(AriaRole.Link).ClickAsync();

        await page.WaitForURLAsync(url => url.Contains("/opportunities?", StringComparison.Ordinal));
        var table = page.Locator("table.deal-table[data-ready=true]");
        await Expect(table.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(table.Locator("tbody tr")).ToContainTextAsync(title);
        Assert.Contains($"segment={segment}", page.Url, StringComparison.Ordinal);
        Assert.Contains("decisionFrom=" + next.ToString("yyyy-MM-01", CultureInfo.InvariantCulture), page.Url, StringComparison.Ordinal);

        // The chart's bar of that month opens the same list; its tooltip names the month first. Bars come series by
        // series (open, weighted, won), month by month from this one: the second is next month's open amount.
        await page.GotoAsync(new Uri(new Uri(page.Url), $"/dashboard?segment={segment}").ToString());
        await DashboardReadyAsync(page);
        var named = next.ToString("MMM yy", CultureInfo.GetCultureInfo("en-US")) + " · Open";
        var (x, y) = await PointUntilTooltipAsync(page, page.Locator("[data-report=forecast] .report-chart path.mud-chart-bar").Nth(1), named);
        await page.Mouse.ClickAsync(x, y);
        await page.WaitForURLAsync(url => url.Contains("decisionFrom=" + next.ToString("yyyy-MM-01", CultureInfo.InvariantCulture), StringComparison.Ordinal));
        await Expect(table.Locator("tbody tr")).ToContainTextAsync(title, new() { Timeout = 15_000 });
    }

    [Fact]
    public async Task A_bar_of_the_win_rate_chart_opens_the_closed_deals_behind_the_rate()
    {
        using var api = await Web.ApiAsAsync(WebSystem.Alice);
        var segment = Unique("bar").Replace(' ', '-');
        var won = Unique("Won in its segment");
        var lost = Unique("Lost in its segment");
        var open = Unique("Still open in its segment");
        var wonId = await CreateDealAsync(api, won, 6_000m, null, segment);
        (await api.PostAsync($"/api/opportunities/{wonId}/win", null)).EnsureSuccessStatusCode();
        var lostId = await CreateDealAsync(api, lost, 3_000m, null, segment);
        (await api.PostAsJsonAsync($"/api/opportunities/{lostId}/lose", new { reason = "Price" })).EnsureSuccessStatusCode();
        await CreateDealAsync(api, open, 4_000m, null, segment);
        await Eventually.Until(async () => (await api.GetFromJsonAsync<JsonElement>($"/api/reports/win-loss?groupBy=segment&segment={segment}"))
            .GetProperty("groups").EnumerateArray().Any(g => g.GetProperty("won").GetInt32() == 1 && g.GetProperty("lost").GetInt32() == 1),
            Projected, "the closed deals are in the win/loss report");

        var page = await Web.SignInAsync(WebSystem.Alice, path: $"/dashboard?segment={segment}");
        await DashboardReadyAsync(page);
        await Expect(page.Locator($"[data-report=win-loss] tr[data-group='{segment}'] td.num").Nth(2)).ToHaveTextAsync("50.0%");

        var (x, y) = await PointAtAsync(page.Locator("[data-report=win-loss] .report-chart path.mud-chart-bar").First);
        await page.Mouse.ClickAsync(x, y);

        // The rate's deals: the won one and the lost one, not the open one.
        await page.WaitForURLAsync(url => url.Contains("/dashboard/deals?", StringComparison.Ordinal));
        Assert.Contains("figure=closed", page.Url, StringComparison.Ordinal);
        var rows = page.Locator("table.deal-table[data-ready=true] tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Filter(new() { HasText = won })).ToContainTextAsync("Won");
        await Expect(rows.Filter(new() { HasText = lost })).ToContainTextAsync("Lost");
        await Expect(page.GetByTestId("figure-heading")).ToHaveTextAsync("Deals closed in the period (won and lost)");
        await Expect(page.GetByTestId("figure-scope")).ToContainTextAsync($"Segment: {segment}");
    }

    [Fact]
    public async Task The_distribution_of_cycles_and_the_funnel_open_the_deals_they_count()
    {
        using var api = await Web.ApiAsAsync(WebSystem.Alice);
        var segment = Unique("cycle").Replace(' ', '-');
        var title = Unique("Won the day it came");
        var id = await CreateDealAsync(api, title, 9_000m, null, segment);
        (await api.PostAsync($"/api/opportunities/{id}/win", null)).EnsureSuccessStatusCode();
        await Eventually.Until(async () => (await api.GetFromJsonAsync<JsonElement>($"/api/reports/summary?segment={segment}")).GetProperty("wonCount").GetInt32() == 1,
            Projected, "the won deal is in the summary");

        var page = await Web.SignInAsync(WebSystem.Alice, path: $"/dashboard?segment={segment}");
        await DashboardReadyAsync(page);
        // Created and won today: a cycle of 0 days, the first bucket, the only won deal.
        var bucket = page.Locator("[data-report=cycle-distribution] tr[data-bucket='0']");
        await Expect(bucket.Locator("td").First).ToHaveTextAsync("0–7 days");
        await Expect(bucket.Locator("td.num").First).ToHaveTextAsync("1");
        await Expect(bucket.Locator("td.num").Nth(1)).ToHaveTextAsync("100.0%");
        await Expect(page.Locator("[data-report=cycle-distribution] tr[data-bucket='8'] td.num").First).ToHaveTextAsync("0");

        await bucket.GetByRole(AriaRole.Link).ClickAsync();

        await page.WaitForURLAsync(url => url.Contains("/dashboard/deals?", StringComparison.Ordinal));
        var rows = page.Locator("table.deal-table[data-ready=true] tbody tr");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows).ToContainTextAsync(title);
        await Expect(rows.Locator("td.num").Nth(1)).ToHaveTextAsync("0 days");
        await Expect(page.GetByTestId("figure-heading")).ToHaveTextAsync("Deals won in the period, cycle of 0–7 days");
        await page.ScreenshotAsync(new() { Path = Path.Combine(WebSystem.Artefacts, "figure-deals.png"), FullPage = true });
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("csv-deals").ClickAsync());
        var csv = (await File.ReadAllLinesAsync((await download.PathAsync())!)).Where(line => line.Length > 0).ToArray();
        Assert.StartsWith("opportunityId,title,", csv[0], StringComparison.Ordinal);
        Assert.Equal(2, csv.Length);
        Assert.Contains(title, csv[1], StringComparison.Ordinal);

        // Back on the dashboard, the funnel's first stage opens the deals that entered it: the deal, won since.
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the dashboard" }).ClickAsync();
        await DashboardReadyAsync(page);
        await page.Locator("[data-report=funnel] tbody tr").First.GetByRole(AriaRole.Link).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("figure=entered", StringComparison.Ordinal));
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows).ToContainTextAsync(title);
    }

    [Fact]
    public async Task Each_report_downloads_as_csv_with_the_dashboards_filters()
    {
        var page = await Web.SignInAsync(WebSystem.Alice, path: "/dashboard?period=year&groupBy=owner");
        await DashboardReadyAsync(page);

        var summary = await DownloadAsync(page, "summary");
        Assert.StartsWith("currency,asOf,from,to,openCount", summary[0], StringComparison.Ordinal);
        Assert.Equal(2, summary.Length);
        Assert.StartsWith("EUR,", summary[1], StringComparison.Ordinal);
        var forecast = await DownloadAsync(page, "forecast");
        Assert.Equal("month,count,openAmount,weightedAmount,wonAmount", forecast[0]);
        Assert.Equal(1 + 12 + 2, forecast.Length);
        var winLoss = await DownloadAsync(page, "win-loss");
        Assert.StartsWith("key,won,lost,winRate", winLoss[0], StringComparison.Ordinal);
        var funnel = await DownloadAsync(page, "funnel");
        Assert.Contains(funnel.Skip(1), line => line.Contains(",Qualification,", StringComparison.Ordinal));
    }

    [Fact]
    public async Task In_french_the_dashboard_speaks_french_and_writes_rates_and_amounts_the_french_way()
    {
        using var api = await Web.ApiAsAsync(WebSystem.Alice);
        var page = await Web.SignInAsync(WebSystem.Alice, locale: "fr-FR", path: "/dashboard?period=year");
        await DashboardReadyAsync(page);

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Tableau de bord", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-kpi=win-rate] .kpi-label")).ToHaveTextAsync("Taux de réussite");
        await Expect(page.Locator("[data-report=forecast] h2")).ToHaveTextAsync("Prévision par mois de décision");
        Assert.Matches(@"^\d{1,3},\d %$", Spaces(await page.Locator("[data-kpi=win-rate] .kpi-value").InnerTextAsync()));
        Assert.Matches(@"^[\d ]+ €$", Spaces(await page.Locator("[data-kpi=open] .kpi-value").InnerTextAsync()));
        Assert.Matches(@"^[\d ]+,\d jours$", Spaces(await page.Locator("[data-kpi=average-cycle] .kpi-value").InnerTextAsync()));
        await page.ScreenshotAsync(new() { Path = Path.Combine(WebSystem.Artefacts, "dashboard-fr.png"), FullPage = true });
    }

    /// <summary>
    /// The middle of a chart's bar, scrolled into view. A bar is an SVG line drawn with a wide stroke, which Playwright's
    /// own hover and click take for invisible: the mouse goes where a user's pointer would.
    /// </summary>
    private static async Task<(float X, float Y)> PointAtAsync(ILocator bar)
    {
        // The chart lays its bars out again once it has measured its axis labels: the point is where the bar stays.
        (float X, float Y)? previous = null;
        var (point, _) = await Eventually.Until(async () =>
        {
            await bar.EvaluateAsync("bar => bar.scrollIntoView({ block: 'center' })");
            var box = (await bar.BoundingBoxAsync())!;
            var (at, before) = ((box.X + box.Width / 2, box.Y + box.Height / 2), previous);
            previous = at;
            return (at, before);
        }, read => read.at == read.before, TimeSpan.FromSeconds(10), "the bar stays in place");
        return point;
    }

    /// <summary>
    /// The pointer on a bar until its tooltip names it: a pointer that arrives while the chart redraws may go unseen, as
    /// a user's may, so it moves off and on again.
    /// </summary>
    private static async Task<(float X, float Y)> PointUntilTooltipAsync(IPage page, ILocator bar, string named)
    {
        var tooltip = page.Locator(".report-chart .mud-chart-tooltip").Filter(new() { HasText = named });
        var (x, y, _) = await Eventually.Until(async () =>
        {
            var (atX, atY) = await PointAtAsync(bar);
            await page.Mouse.MoveAsync(atX, atY - 200);
            await page.Mouse.MoveAsync(atX, atY);
            try
            {
                await tooltip.WaitForAsync(new() { Timeout = 2_000 });
                return (atX, atY, Shown: true);
            }
            catch (TimeoutException)
            {
                return (atX, atY, Shown: false);
            }
        }, point => point.Shown, TimeSpan.FromSeconds(30), $"the bar's tooltip says {named}");
        return (x, y);
    }

    internal static async Task DashboardReadyAsync(IPage page) =>
        await Expect(page.Locator(".dashboard[data-ready=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });

    /// <summary>The tiles as the dashboard writes the API's figures (<see cref="ReportFormats"/>, the browser's language).</summary>
    private static List<string> Tiles(JsonElement summary, CultureInfo culture)
    {
        var currency = summary.GetProperty("currency").GetString()!;
        decimal? Amount(string name) => summary.GetProperty(name).ValueKind == JsonValueKind.Null ? null : summary.GetProperty(name).GetDecimal();
        var velocity = summary.GetProperty("salesVelocityPerDay");
        return
        [
            ReportFormats.Rate(summary.GetProperty("conversionRate").GetDouble(), culture),
            ReportFormats.Rate(summary.GetProperty("winRate").GetDouble(), culture),
            ReportFormats.Days(summary.GetProperty("averageSalesCycleDays").GetDouble(), culture),
            ReportFormats.Days(summary.GetProperty("medianSalesCycleDays").GetDouble(), culture),
            ReportFormats.Velocity(velocity.ValueKind == JsonValueKind.Null ? null : velocity.GetDouble(), currency, culture),
            ReportFormats.Amount(Amount("openAmount"), currency, culture),
            ReportFormats.Amount(Amount("weightedAmount"), currency, culture),
        ];
    }

    private static async Task<List<string>> ShownTilesAsync(IPage page)
    {
        var shown = new List<string>();
        foreach (var kpi in Kpis)
        {
            shown.Add((await page.Locator($"[data-kpi={kpi}] .kpi-value").InnerTextAsync()).Trim());
        }

        return shown;
    }

    private static async Task<string[]> DownloadAsync(IPage page, string report)
    {
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator($"[data-testid=csv-{report}]").ClickAsync());
        Assert.Equal($"{report}.csv", download.SuggestedFilename);
        return (await File.ReadAllLinesAsync((await download.PathAsync())!)).Where(line => line.Length > 0).ToArray();
    }

    internal static DateOnly Today() =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris")).DateTime);

    internal static string Spaces(string text) => text.Replace('\u202F', ' ').Replace('\u00A0', ' ').Trim();
}

/// <summary>The dashboard's periods, without servers (named to run with the web UI's fast checks).</summary>
public sealed class DashboardWebLogicTests
{
    [Theory]
    [InlineData("month", "2026-12-01", "2026-12-31")]
    [InlineData("quarter", "2026-10-01", "2026-12-31")]
    [InlineData("year", "2026-01-01", "2026-12-31")]
    public void A_calendar_period_is_whole_months_around_today(string key, string from, string to)
    {
        var period = ReportPeriods.Of(key, new DateOnly(2026, 12, 5), null, null);
        Assert.Equal((DateOnly.Parse(from, CultureInfo.InvariantCulture), DateOnly.Parse(to, CultureInfo.InvariantCulture), (string?)null),
            (period.From!.Value, period.To!.Value, period.Fiscal));
    }

    [Theory]
    [InlineData("fiscal-quarter")]
    [InlineData("fiscal-year")]
    public void A_fiscal_period_is_left_to_the_reporting_api_which_knows_the_organisations_fiscal_year(string key) =>
        Assert.Equal(new ReportPeriod(key, null, null, key), ReportPeriods.Of(key, new DateOnly(2026, 12, 5), null, null));

    [Fact]
    public void The_default_period_is_the_apis_own_last_twelve_months() =>
        Assert.Equal(new ReportPeriod("12m", null, null, null), ReportPeriods.Of(null, new DateOnly(2026, 12, 5), new DateOnly(2026, 1, 1), null));

    [Fact]
    public void A_custom_period_starts_from_the_last_twelve_months_and_never_ends_before_it_starts()
    {
        Assert.Equal(new ReportPeriod("custom", new DateOnly(2025, 12, 6), new DateOnly(2026, 12, 5), null), ReportPeriods.Of("custom", new DateOnly(2026, 12, 5), null, null));
        Assert.Equal(new ReportPeriod("custom", new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 1), null),
            ReportPeriods.Of("custom", new DateOnly(2026, 12, 5), new DateOnly(2026, 3, 1), new DateOnly(2026, 2, 1)));
    }

    [Fact]
    public void A_pushed_decision_date_reads_as_a_sentence_with_short_dates() =>
        Assert.Equal("Decision date pushed from 31 Jan to 28 Feb",
            ReviewChanges.Sentence("pushed", "2027-01-31", "2027-02-28", null, CultureInfo.GetCultureInfo("en-GB"), new DateOnly(2027, 1, 10)));

    [Fact]
    public void A_raised_amount_reads_in_the_deals_currency() =>
        Assert.Equal("Amount raised from $1,000.00 to $1,500.50",
            ReviewChanges.Sentence("amountUp", "1000", "1500.5", "USD", CultureInfo.GetCultureInfo("en-US"), new DateOnly(2027, 1, 10)));
}
