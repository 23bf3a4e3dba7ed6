using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Pipeline.Testing;
using static Microsoft.Playwright.Assertions;
using static Pipeline.Web.Tests.BoardTests;

namespace Pipeline.Web.Tests;

/// <summary>The opportunity page: a deal's fields changed in place, its activities and quotes, its journey.</summary>
[Collection(WebCollection.Name)]
public sealed class OpportunityPageTests(WebSystem web) : BrowserTest(web)
{
    [Fact]
    public async Task A_field_changes_in_place_a_bad_value_gets_the_apis_message_beside_it_and_activities_and_quotes_follow_their_course()
    {
        using var api = await Web.ApiAsAsync(WebSystem.Alice);
        var id = await CreateDealAsync(api, Unique("Fleet renewal"), 12_000m, null);
        var page = await OpenAsync(WebSystem.Alice, id);
        var fields = page.Locator(".deal-fields");

        await fields.GetByLabel("Contact e-mail").FillAsync("peter at initech");
        await fields.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(Field(fields, "Contact e-mail")).ToContainTextAsync("The contact's e-mail address is not valid.");
        Assert.Equal(JsonValueKind.Null, (await DealAsync(api, id)).GetProperty("contactEmail").ValueKind);

        await fields.GetByLabel("Contact e-mail").FillAsync("peter@initech.test");
        await fields.GetByLabel("Amount").FillAsync("15000");
        await fields.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        var history = page.Locator("[data-testid=history]");
        await Expect(history).ToContainTextAsync("Amount: 12,000.00 → 15,000.00");
        await Expect(history).ToContainTextAsync("Contact e-mail: — → peter@initech.test");
        await Expect(Field(fields, "Contact e-mail")).Not.ToContainTextAsync("not valid");
        var saved = await DealAsync(api, id);
        Assert.Equal(15_000m, saved.GetProperty("amount").GetDecimal());
        Assert.Equal("peter@initech.test", saved.GetProperty("contactEmail").GetString());

        var activities = page.Locator(".deal-activities");
        await activities.GetByRole(AriaRole.Button, new() { Name = "Schedule" }).ClickAsync();
        await Expect(Field(activities, "Subject")).ToContainTextAsync("A subject of 1 to 200 characters is required.");
        await activities.GetByLabel("Subject").FillAsync("Call the buyer");
        await activities.GetByRole(AriaRole.Button, new() { Name = "Schedule" }).ClickAsync();
        var activity = activities.Locator("li.activity", new() { HasText = "Call the buyer" });
        await Expect(activity).ToContainTextAsync("Call");
        await activity.GetByRole(AriaRole.Button, new() { Name = "Complete" }).ClickAsync();
        await Expect(activity).ToContainTextAsync("Done");

        await activities.GetByLabel("Amount").FillAsync("1200");
        await activities.GetByRole(AriaRole.Button, new() { Name = "New quote" }).ClickAsync();
        var quote = activities.Locator("li.quote");
        await Expect(quote.Locator("[data-testid=quote-status]")).ToHaveTextAsync("Draft");
        await Expect(quote).ToContainTextAsync("€1,200.00");
        await quote.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(quote.Locator("[data-testid=quote-status]")).ToHaveTextAsync("Sent");
        var quotes = await api.GetFromJsonAsync<JsonElement>($"/api/opportunities/{id}/quotes");
        Assert.Equal("sent", quotes.EnumerateArray().Single().GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_demo_deal_shows_its_stage_path_with_the_time_in_each_stage_its_quotes_activities_and_history()
    {
        using var api = await Web.ApiAsAsync(WebSystem.Alice);
        var (id, stage) = await DemoDealWithAJourneyAsync(api);
        var page = await OpenAsync(WebSystem.Alice, id);

        await Expect(page.Locator(".stage-path li.current")).ToContainTextAsync(stage);
        var visited = page.Locator(".stage-path li.visited .stage-time");
        Assert.True(await visited.CountAsync() >= 2, "the stages it went through show their time");
        foreach (var time in await visited.AllInnerTextsAsync())
        {
            Assert.Matches(new Regex(@"^\d+ (d|h|min)$"), time.Trim());
        }

        await Expect(page.Locator("[data-testid=history]")).ToContainTextAsync($"→ {stage}");
        await Expect(page.Locator("[data-testid=history]")).ToContainTextAsync("Opportunity created");
        Assert.True(await page.Locator("li.quote").CountAsync() >= 1, "its quotes are listed");
        Assert.True(await page.Locator("li.activity").CountAsync() >= 1, "its activities are listed");
        await page.ScreenshotAsync(new() { Path = Path.Combine(WebSystem.Artefacts, "opportunity.png"), FullPage = true });
    }

    private async Task<IPage> OpenAsync(string user, string id)
    {
        var page = await Web.SignInAsync(user, path: $"/opportunities/{id}");
        await Expect(page.Locator(".deal-page[data-ready=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        return page;
    }

    /// <summary>The input control (label, field, message under it) of the field labelled <paramref name="label"/>.</summary>
    private static ILocator Field(ILocator section, string label) =>
        section.Locator(".mud-input-control", new() { Has = section.Page.GetByLabel(label) });

    /// <summary>One of alice's open demo deals in Negotiation that went through earlier stages and has a quote.</summary>
    private static async Task<(string Id, string Stage)> DemoDealWithAJourneyAsync(HttpClient api)
    {
        var pipeline = (await api.GetFromJsonAsync<JsonElement>("/api/pipelines")).EnumerateArray().First(p => p.GetProperty("isDefault").GetBoolean());
        var negotiation = pipeline.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "Negotiation & follow-up");
        var deals = await api.GetFromJsonAsync<JsonElement>(
            $"/api/opportunities?pipelineId={pipeline.GetProperty("id")}&stageId={negotiation.GetProperty("id")}&status=open&ownerId=me&limit=50");
        foreach (var deal in deals.GetProperty("items").EnumerateArray())
        {
            var id = deal.GetProperty("id").GetString()!;
            var quotes = await api.GetFromJsonAsync<JsonElement>($"/api/opportunities/{id}/quotes");
            var activities = await api.GetFromJsonAsync<JsonElement>($"/api/opportunities/{id}/activities");
            var history = await api.GetFromJsonAsync<JsonElement>($"/api/opportunities/{id}/history");
            var moves = history.GetProperty("items").EnumerateArray().Count(h => h.GetProperty("kind").GetString() == "stage");
            if (quotes.GetArrayLength() > 0 && activities.GetProperty("items").GetArrayLength() > 0 && moves >= 2)
            {
                return (id, "Negotiation & follow-up");
            }
        }

        throw new InvalidOperationException("No demo deal of alice's in Negotiation has a journey, a quote and activities.");
    }
}
