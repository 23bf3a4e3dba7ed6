using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Pipeline.Testing;
using static Microsoft.Playwright.Assertions;
using static Pipeline.Web.Tests.BoardTests;
using static Pipeline.Web.Tests.DashboardTests;

namespace Pipeline.Web.Tests;

/// <summary>The pipeline review of the sales meeting: what changed since a day, on /review and as badges on the by-date view.</summary>
[Collection(WebCollection.Name)]
public sealed class ReviewTests(WebSystem web) : BrowserTest(web)
{
    // As on the dashboard: minutes while the demo import's events are still being projected.
    private static readonly TimeSpan Projected = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task A_deal_whose_decision_date_was_pushed_is_in_the_review_and_badged_pushed_on_the_by_date_view()
    {
        using var api = await Web.ApiAsAsync(WebSystem.Alice);
        var title = Unique("Pushed deal");
        var today = Today();
        var (first, later) = (today.AddDays(10), today.AddDays(40));
        var id = await CreateDealAsync(api, title, 11_000m, first);
        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/opportunities/{id}")
        {
            Content = JsonContent.Create(new { expectedDecisionDate = later.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }),
        };
        (await api.SendAsync(patch)).EnsureSuccessStatusCode();
        var since = today.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await Eventually.Until(async () => (await api.GetFromJsonAsync<JsonElement>($"/api/reports/changes?since={since}&limit=200")).GetProperty("items")
            .EnumerateArray().Any(d => d.GetProperty("opportunityId").GetString() == id
                && d.GetProperty("changes").EnumerateArray().Any(c => c.GetProperty("kind").GetString() == "pushed")), Projected, "the push is in the review");

        var page = await Web.SignInAsync(WebSystem.Alice, path: $"/review?since={since}");
        await Expect(page.Locator(".review-items[data-ready=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var item = page.Locator($".review-item[data-deal='{id}']");
        await Expect(item.Locator("a.deal-link")).ToHaveTextAsync(title);
        await Expect(item.Locator("a.deal-link")).ToHaveAttributeAsync("href", $"/opportunities/{id}");
        var pushed = item.Locator("li[data-kind=pushed]");
        await Expect(pushed.Locator(".change-badge")).ToHaveTextAsync("pushed");
        await Expect(pushed.Locator(".what")).ToHaveTextAsync($"Decision date pushed from {Short(first, today, "en-US")} to {Short(later, today, "en-US")}");
        await Expect(item.Locator("li[data-kind=created] .change-badge")).ToHaveTextAsync("new");
        Assert.True(int.Parse(await page.Locator("[data-kpi=pushed] .kpi-value").InnerTextAsync(), NumberStyles.AllowThousands, CultureInfo.GetCultureInfo("en-US")) >= 1);
        await page.ScreenshotAsync(new() { Path = Path.Combine(WebSystem.Artefacts, "review.png"), FullPage = true });

        await page.GotoAsync(new Uri(WebSystem.Address, $"/by-date?since={since}&q={Uri.EscapeDataString(title)}").ToString());
        await Expect(page.Locator(".board[data-ready=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var card = page.Locator($"#card-{id}");
        await Expect(card.Locator("[data-change=pushed]")).ToHaveTextAsync("pushed");
        await Expect(card.Locator("[data-change=created]")).ToHaveTextAsync("new");
        await Expect(page.Locator($".review-aside li[data-deal='{id}']")).ToContainTextAsync("Decision date pushed");
        await page.ScreenshotAsync(new() { Path = Path.Combine(WebSystem.Artefacts, "by-date-review.png"), FullPage = true });

        // Off by default: without a day, the view is the sales meeting's board as it was.
        await page.GotoAsync(new Uri(WebSystem.Address, $"/by-date?q={Uri.EscapeDataString(title)}").ToString());
        await Expect(page.Locator(".board[data-ready=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.Locator($"#card-{id}")).ToBeVisibleAsync();
        await Expect(page.Locator($"#card-{id} [data-change]")).ToHaveCountAsync(0);
        await Expect(page.Locator(".review-aside")).ToHaveCountAsync(0);

        var french = await Web.SignInAsync(WebSystem.Alice, locale: "fr-FR", path: $"/review?since={since}");
        await Expect(french.Locator(".review-items[data-ready=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(french.GetByRole(AriaRole.Heading, new() { Name = "Revue du pipeline", Level = 1 })).ToBeVisibleAsync();
        var frenchPush = french.Locator($".review-item[data-deal='{id}'] li[data-kind=pushed]");
        await Expect(frenchPush.Locator(".change-badge")).ToHaveTextAsync("repoussée");
        await Expect(frenchPush.Locator(".what")).ToHaveTextAsync($"Date de décision repoussée du {Short(first, today, "fr-FR")} au {Short(later, today, "fr-FR")}");
        await french.ScreenshotAsync(new() { Path = Path.Combine(WebSystem.Artefacts, "review-fr.png"), FullPage = true });
    }

    [Fact]
    public async Task The_review_starts_a_week_back_a_day_in_the_link_is_the_one_reviewed_and_its_changes_download_as_csv()
    {
        var page = await Web.SignInAsync(WebSystem.Alice, path: "/review");
        await Expect(page.Locator(".review-items[data-ready=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.GetByLabel("Changes since")).ToHaveValueAsync(Today().AddDays(-7).ToString("d", CultureInfo.GetCultureInfo("en-US")));

        var monthAgo = Today().AddDays(-30);
        await page.GotoAsync(new Uri(WebSystem.Address, $"/review?since={monthAgo:yyyy-MM-dd}").ToString());
        await Expect(page.Locator(".review-items[data-ready=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.GetByLabel("Changes since")).ToHaveValueAsync(monthAgo.ToString("d", CultureInfo.GetCultureInfo("en-US")));
        await Expect(page.Locator("[data-kpi=created] .kpi-value")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^[\d,]+$"));

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=csv-changes]").ClickAsync());
        Assert.Equal("changes.csv", download.SuggestedFilename);
        Assert.Equal("opportunityId,title,ownerId,kind,from,to,currency,at", (await File.ReadAllLinesAsync((await download.PathAsync())!))[0]);
    }

    /// <summary>A day as the review writes it: "31 Jan" this year, "31 Jan 2028" another.</summary>
    private static string Short(DateOnly day, DateOnly today, string culture) =>
        day.ToString(day.Year == today.Year ? "d MMM" : "d MMM yyyy", CultureInfo.GetCultureInfo(culture));
}
