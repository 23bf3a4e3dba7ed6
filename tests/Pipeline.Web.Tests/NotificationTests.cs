using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Pipeline.Testing;
using static Microsoft.Playwright.Assertions;

namespace Pipeline.Web.Tests;

/// <summary>
/// The bell, the inbox and the notification preferences. The notifications are real ones: the seeded "Negotiation
/// alert" rule tells the team's manager (maria, East) when a deal of her team reaches Negotiation &amp; follow-up.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class NotificationTests(WebSystem web) : BrowserTest(web)
{
    /// <summary>
    /// A move, its rule run, the notification and the stream: a few hops through the broker, behind whatever automation
    /// still has to read of the demo import when the suite starts.
    /// </summary>
    private static readonly TimeSpan Live = TimeSpan.FromMinutes(3);

    private const string Negotiation = "Negotiation & follow-up";

    [Fact]
    public async Task Maria_sees_the_negotiation_alert_of_alices_deal_arrive_in_her_bell_without_reloading()
    {
        using var maria = await Web.ApiAsAsync(DemoUsers.Maria);
        (await maria.PostAsync("/api/notifications/read-all", null)).EnsureSuccessStatusCode();
        var page = await Web.SignInAsync(DemoUsers.Maria, path: "/agenda");
        var bell = page.Locator(".notification-bell");
        await Expect(bell).ToHaveAttributeAsync("data-unread", "0", new() { Timeout = 30_000 });
        await Expect(bell).ToHaveAttributeAsync("data-stream", "connected", new() { Timeout = 20_000 });
        await Expect(Bell(page, "No unread notifications")).ToBeVisibleAsync();

        using var alice = await Web.ApiAsAsync(WebSystem.Alice);
        var title = BoardTests.Unique("Negotiated fleet");
        var id = await BoardTests.CreateDealAsync(alice, title, 20_000m, null);
        await MoveToNegotiationAsync(alice, id);

        await Expect(Bell(page, "1 unread notification")).ToBeVisibleAsync(new() { Timeout = (float)Live.TotalMilliseconds });
        await Expect(bell.GetByRole(AriaRole.Status)).ToHaveTextAsync("1");
        await Bell(page, "1 unread notification").ClickAsync();
        var alert = page.GetByText($"{title} reached {Negotiation}");
        await Expect(alert).ToBeVisibleAsync();
        await Expect(page.GetByText("See all notifications")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(WebSystem.Artefacts, "bell.png"), FullPage = true, Animations = ScreenshotAnimations.Disabled });

        await alert.ClickAsync();
        await page.WaitForURLAsync(url => url.EndsWith($"/opportunities/{id}", StringComparison.Ordinal));
        await Expect(page.Locator(".deal-page[data-ready=true]")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Expect(Bell(page, "No unread notifications")).ToBeVisibleAsync();
        Assert.Equal(0, await UnreadAsync(maria, null));
    }

    [Fact]
    public async Task In_the_inbox_maria_pages_marks_one_read_follows_another_to_its_deal_and_marks_all_read_as_the_bell_counts_down()
    {
        using var maria = await Web.ApiAsAsync(DemoUsers.Maria);
        (await maria.PostAsync("/api/notifications/read-all", null)).EnsureSuccessStatusCode();
        using var alice = await Web.ApiAsAsync(WebSystem.Alice);
        var marker = BoardTests.Unique("Inbox");
        var deals = new List<string>();
        // One more than the inbox's page of ten, for "Load more".
        for (var i = 1; i <= 11; i++)
        {
            deals.Add(await BoardTests.CreateDealAsync(alice, $"{marker} {i:00}", 1_000m * i, null));
            await MoveToNegotiationAsync(alice, deals[^1]);
        }

        await Eventually.Until(async () => await UnreadAsync(maria, marker) == 11, Live, "maria has the eleven alerts");
        // Everything was read before the moves: these are the eleven, unless an alert of an earlier test came late.
        var unread = await UnreadAsync(maria, null);

        var page = await Web.SignInAsync(DemoUsers.Maria, path: "/notifications?unread=true");
        await Expect(page.Locator(".inbox[data-ready=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var items = page.Locator("li.notification");
        await Expect(items).ToHaveCountAsync(10);
        await Expect(Bell(page, $"{unread} unread notifications")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Load more" }).ClickAsync();
        await Expect(items).ToHaveCountAsync(Math.Min(unread, 20));
        for (var i = 1; i <= 11; i++)
        {
            await Expect(Item(page, marker, i)).ToHaveCountAsync(1);
        }

        var eleventh = Item(page, marker, 11);
        await eleventh.GetByRole(AriaRole.Button, new() { Name = $"Mark read: {marker} 11 reached {Negotiation}" }).ClickAsync();
        await Expect(eleventh.Locator("[data-testid=read-state]")).ToHaveTextAsync("Read");
        await Expect(Bell(page, $"{unread - 1} unread notifications")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=unread-count]")).ToHaveTextAsync($"{unread - 1} unread notifications");
        await page.ScreenshotAsync(new() { Path = Path.Combine(WebSystem.Artefacts, "inbox.png"), FullPage = true, Animations = ScreenshotAnimations.Disabled });

        await Item(page, marker, 10).GetByRole(AriaRole.Link).ClickAsync();
        await page.WaitForURLAsync(url => url.EndsWith($"/opportunities/{deals[9]}", StringComparison.Ordinal));
        await Expect(page.Locator(".deal-page[data-ready=true]")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Expect(Bell(page, $"{unread - 2} unread notifications")).ToBeVisibleAsync();

        await page.GotoAsync(new Uri(WebSystem.Address, "/notifications").ToString());
        await Expect(page.Locator(".inbox[data-ready=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        // Alerts handled in one batch share their moment: which of the eleven is on the first page is not fixed.
        await page.GetByRole(AriaRole.Button, new() { Name = "Load more" }).ClickAsync();
        await Expect(Item(page, marker, 1)).ToHaveCountAsync(1);
        await Expect(Item(page, marker, 10).Locator("[data-testid=read-state]")).ToHaveTextAsync("Read");
        await Expect(Item(page, marker, 9).Locator("[data-testid=read-state]")).ToHaveTextAsync("Unread");
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark all read" }).ClickAsync();
        await Expect(Bell(page, "No unread notifications")).ToBeVisibleAsync();
        await Expect(page.Locator("li.notification.unread")).ToHaveCountAsync(0);
        Assert.Equal(0, await UnreadAsync(maria, null));

        await page.GetByText("Unread only").ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("unread=true", StringComparison.Ordinal));
        await Expect(page.GetByText("No unread notifications: you are up to date.")).ToBeVisibleAsync();
        await Expect(items).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Bob_chooses_his_channels_in_french_and_finds_them_saved()
    {
        var page = await Web.SignInAsync(WebSystem.Bob, locale: "fr-FR", path: "/notifications/preferences");
        await Expect(page.Locator(".preferences[data-ready=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Préférences de notification", Level = 1 })).ToBeVisibleAsync();
        var rulesByEmail = page.GetByLabel("Par e-mail : Règles d'automatisation");
        var stageAlertsInApp = page.GetByLabel("Dans l'application : Alertes d'étape");
        await Expect(rulesByEmail).Not.ToBeCheckedAsync();
        await Expect(stageAlertsInApp).ToBeCheckedAsync();

        await rulesByEmail.CheckAsync();
        await stageAlertsInApp.UncheckAsync();
        await page.GetByLabel("Langue des e-mails").ClickAsync();
        await page.Locator(".mud-popover-open").GetByText("Français", new() { Exact = true }).ClickAsync();
        await Expect(page.GetByLabel("Langue des e-mails")).ToHaveValueAsync("Français");
        await page.GetByRole(AriaRole.Button, new() { Name = "Enregistrer" }).ClickAsync();
        await Expect(page.Locator("#mud-snackbar-container").GetByText("Vos préférences de notification sont enregistrées.")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(WebSystem.Artefacts, "preferences.png"), FullPage = true, Animations = ScreenshotAnimations.Disabled });

        await page.ReloadAsync();
        await Expect(page.Locator(".preferences[data-ready=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(rulesByEmail).ToBeCheckedAsync();
        await Expect(stageAlertsInApp).Not.ToBeCheckedAsync();
        await Expect(page.GetByLabel("Langue des e-mails")).ToHaveValueAsync("Français");

        using var bob = await Web.ApiAsAsync(WebSystem.Bob);
        var saved = await bob.GetFromJsonAsync<JsonElement>("/api/notifications/preferences");
        Assert.Equal("fr", saved.GetProperty("language").GetString());
        var kinds = saved.GetProperty("kinds").EnumerateArray().ToDictionary(k => k.GetProperty("kind").GetString()!);
        Assert.True(kinds["rule"].GetProperty("email").GetBoolean());
        Assert.False(kinds["stage-alert"].GetProperty("inApp").GetBoolean());
    }

    /// <summary>The bell's button, by the name a screen reader says.</summary>
    private static ILocator Bell(IPage page, string name) => page.Locator($".notification-bell button[aria-label='{name}']");

    private static ILocator Item(IPage page, string marker, int number) =>
        page.Locator("li.notification").Filter(new() { HasText = $"{marker} {number:00} reached {Negotiation}" });

    /// <summary>Maria's unread notifications: all of them, or those about the test's deals (their titles carry its marker).</summary>
    private static async Task<int> UnreadAsync(HttpClient api, string? marker)
    {
        var page = await api.GetFromJsonAsync<JsonElement>("/api/notifications?unread=true&limit=100");
        return marker is null
            ? page.GetProperty("unreadCount").GetInt32()
            : page.GetProperty("items").EnumerateArray().Count(i => i.GetProperty("title").GetString()!.StartsWith(marker, StringComparison.Ordinal));
    }

    /// <summary>What alice does on her board, through the API: the deal reaches the stage the "Negotiation alert" rule watches.</summary>
    private static async Task MoveToNegotiationAsync(HttpClient api, string id)
    {
        var deal = await BoardTests.DealAsync(api, id);
        var pipeline = await api.GetFromJsonAsync<JsonElement>($"/api/pipelines/{deal.GetProperty("pipelineId").GetString()}");
        var stage = pipeline.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("name").GetString() == Negotiation);
        using var response = await api.PostAsJsonAsync($"/api/opportunities/{id}/stage", new { stageId = stage.GetProperty("id").GetString() });
        response.EnsureSuccessStatusCode();
    }
}
