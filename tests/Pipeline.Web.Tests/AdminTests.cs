using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Pipeline.Testing;
using static Microsoft.Playwright.Assertions;
using static Pipeline.Web.Tests.BoardTests;

namespace Pipeline.Web.Tests;

/// <summary>The admin's screens, and that nobody else gets them: pipelines and stages, settings, rates, webhooks, API clients.</summary>
[Collection(WebCollection.Name)]
public sealed class AdminTests(WebSystem web) : BrowserTest(web)
{
    private const string Admin = "admin@acme.test";

    [Fact]
    public async Task A_rep_sees_no_admin_menu_and_is_refused_the_admin_screens_while_the_admin_has_them()
    {
        var alice = await Web.SignInAsync(WebSystem.Alice);
        await alice.Locator(".board[data-ready=true]").WaitForAsync();
        await Expect(alice.GetByRole(AriaRole.Link, new() { Name = "Dashboard" })).ToBeVisibleAsync();
        await Expect(alice.GetByRole(AriaRole.Button, new() { Name = "Administration menu" })).ToHaveCountAsync(0);
        await Expect(alice.GetByRole(AriaRole.Link, new() { Name = "Automation" })).ToHaveCountAsync(0);
        await alice.GotoAsync(new Uri(WebSystem.Address, "/admin/webhooks").ToString());
        await Expect(alice.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Your role does not give access to this page.");
        await Expect(alice.GetByRole(AriaRole.Heading, new() { Name = "Webhooks" })).ToHaveCountAsync(0);

        var admin = await Web.SignInAsync(Admin);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Administration menu" }).ClickAsync();
        await admin.GetByRole(AriaRole.Menuitem, new() { Name = "Webhooks" }).ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "Webhooks", Exact = true })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task An_admin_reorders_stages_by_dragging_and_removes_one_whose_deals_move_to_the_stage_she_picks()
    {
        using var api = await Web.ApiAsAsync(Admin);
        var name = Unique("Renewals");
        using var created = await api.PostAsJsonAsync("/api/pipelines", new
        {
            name,
            stages = new[] { new { name = "Contact", probability = 10 }, new { name = "Offer", probability = 50 }, new { name = "Signature", probability = 90 } },
        });
        created.EnsureSuccessStatusCode();
        var pipeline = await created.Content.ReadFromJsonAsync<JsonElement>();
        var stages = pipeline.GetProperty("stages").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("id").GetString()!);
        using var deal = await api.PostAsJsonAsync("/api/opportunities", new
        {
            title = Unique("Renewal deal"), amount = 3_000m, currency = "EUR", pipelineId = pipeline.GetProperty("id").GetString(), stageId = stages["Offer"],
        });
        deal.EnsureSuccessStatusCode();
        var dealId = (await deal.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var page = await Web.SignInAsync(Admin, path: "/admin/pipelines");
        await page.Locator(".pipelines-admin[data-ready=true]").WaitForAsync();
        await page.GetByLabel("Pipeline to configure").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = name }).ClickAsync();
        await Expect(page.Locator(".stage-row[data-stage='Offer'] .deal-count")).ToHaveTextAsync("1 deal");

        await page.GetByRole(AriaRole.Button, new() { Name = "Remove Offer" }).ClickAsync();
        await page.GetByRole(AriaRole.Group, new() { Name = "Where the deals of Offer go" }).GetByLabel("Move its open deals to").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Contact" }).ClickAsync();
        // Dropped on the upper half of the first stage: the drop zone puts it before that one (the lower half, after).
        await page.Locator(".stage-row[data-stage='Signature']").DragToAsync(page.Locator(".stage-row[data-stage='Contact']"), new() { TargetPosition = new() { X = 12, Y = 6 }, Force = true });
        await Expect(page.Locator(".stage-row").First).ToHaveAttributeAsync("data-stage", "Signature");
        await Expect(page.Locator(".stage-row")).ToHaveCountAsync(2);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator("#mud-snackbar-container").GetByText("Saved.")).ToBeVisibleAsync();
        await Expect(page.Locator(".stage-row[data-stage='Contact'] .deal-count")).ToHaveTextAsync("1 deal");
        await page.ScreenshotAsync(new() { Path = Path.Combine(WebSystem.Artefacts, "admin-pipelines.png"), FullPage = true });

        var saved = await api.GetFromJsonAsync<JsonElement>($"/api/pipelines/{pipeline.GetProperty("id").GetString()}");
        Assert.Equal(["Signature", "Contact"], saved.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        var moved = await api.GetFromJsonAsync<JsonElement>($"/api/opportunities/{dealId}");
        Assert.Equal(stages["Contact"], moved.GetProperty("stageId").GetString());
    }

    [Fact]
    public async Task Two_admins_changing_the_settings_at_once_never_overwrite_each_other_unknowingly()
    {
        using var api = await Web.ApiAsAsync(Admin);
        var before = await api.GetFromJsonAsync<JsonElement>("/api/organization");
        try
        {
            var page = await Web.SignInAsync(Admin, path: "/admin/organization");
            await page.Locator(".admin-form[data-ready=true]").WaitForAsync();
            await page.GetByLabel("Fiscal year starts in").ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = "April" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(page.Locator("#mud-snackbar-container").GetByText("Saved.")).ToBeVisibleAsync();
            Assert.Equal(4, (await api.GetFromJsonAsync<JsonElement>("/api/organization")).GetProperty("fiscalYearStartMonth").GetInt32());

            // Another admin renames the organisation behind this page's back: saving from the page is refused, not lost.
            var current = await api.GetFromJsonAsync<JsonElement>("/api/organization");
            using var renamed = await api.PutAsJsonAsync("/api/organization", new
            {
                name = "Acme (renamed elsewhere)", currency = current.GetProperty("currency").GetString(), timeZone = current.GetProperty("timeZone").GetString(),
                fiscalYearStartMonth = 4,
            });
            renamed.EnsureSuccessStatusCode();
            await page.GetByLabel("Fiscal year starts in").ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = "July" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(page.GetByText("Another admin changed these settings meanwhile")).ToBeVisibleAsync();
            await Expect(page.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync("Acme (renamed elsewhere)");
            Assert.Equal(4, (await api.GetFromJsonAsync<JsonElement>("/api/organization")).GetProperty("fiscalYearStartMonth").GetInt32());
        }
        finally
        {
            using var restored = await api.PutAsJsonAsync("/api/organization", new
            {
                name = before.GetProperty("name").GetString(), currency = before.GetProperty("currency").GetString(),
                timeZone = before.GetProperty("timeZone").GetString(), fiscalYearStartMonth = before.GetProperty("fiscalYearStartMonth").GetInt32(),
            });
            restored.EnsureSuccessStatusCode();
        }
    }

    [Fact]
    public async Task An_admin_adds_an_exchange_rate_and_a_bad_one_is_refused_next_to_its_field()
    {
        using var api = await Web.ApiAsAsync(Admin);
        var before = await api.GetFromJsonAsync<JsonElement>("/api/exchange-rates");
        try
        {
            var page = await Web.SignInAsync(Admin, path: "/admin/exchange-rates");
            await page.Locator(".admin-form[data-ready=true]").WaitForAsync();
            var rows = page.Locator(".rates-table tbody tr");
            var count = await rows.CountAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Add a rate" }).ClickAsync();
            var added = rows.Nth(count);
            await added.GetByLabel("Currency").ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = "CHF", Exact = true }).ClickAsync();
            await added.GetByLabel("Rate", new() { Exact = true }).FillAsync("-2");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(added.GetByText("A positive rate")).ToBeVisibleAsync();

            await added.GetByLabel("Rate", new() { Exact = true }).FillAsync("1.05");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(page.Locator("#mud-snackbar-container").GetByText("Saved.")).ToBeVisibleAsync();
            var rates = await api.GetFromJsonAsync<JsonElement>("/api/exchange-rates");
            Assert.Contains(rates.GetProperty("rates").EnumerateArray(), r => r.GetProperty("currency").GetString() == "CHF" && r.GetProperty("rate").GetDecimal() == 1.05m);
        }
        finally
        {
            using var restored = await api.PutAsJsonAsync("/api/exchange-rates", new { rates = before.GetProperty("rates") });
            restored.EnsureSuccessStatusCode();
        }
    }

    [Fact]
    public async Task An_admin_subscribes_a_receiver_keeps_the_secret_shown_once_sees_the_delivery_and_redelivers_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var path = $"hook-{Guid.NewGuid():N}";
        var page = await Web.SignInAsync(Admin, path: "/admin/webhooks");
        await page.Locator(".admin-page[data-ready=true]").WaitForAsync();
        await page.GetByLabel("URL", new() { Exact = true }).FillAsync(receiver.Url(path).ToString());
        await page.GetByLabel("Description").FillAsync("The web test's receiver");
        await page.GetByRole(AriaRole.Button, new() { Name = "Subscribe a URL" }).ClickAsync();
        var secret = await page.Locator(".secret-once code.secret").TextContentAsync();
        Assert.False(string.IsNullOrWhiteSpace(secret));

        // A deal moved: the subscription's StageChanged reaches the receiver, signed with the secret the page showed.
        using var api = await Web.ApiAsAsync(WebSystem.Alice);
        var dealId = await CreateDealAsync(api, Unique("Hooked deal"), 2_000m, null);
        var pipelines = await api.GetFromJsonAsync<JsonElement>("/api/pipelines");
        var second = pipelines[0].GetProperty("stages")[1].GetProperty("id").GetString();
        (await api.PostAsJsonAsync($"/api/opportunities/{dealId}/stage", new { stageId = second })).EnsureSuccessStatusCode();
        var first = (await Eventually.Until(() => Task.FromResult(receiver.Received(path)), r => r.Count >= 1, TimeSpan.FromSeconds(60), "the delivery"))[0];
        var signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret!.Trim()), first.Body));
        Assert.Equal(signature, first.Signature);

        var row = page.Locator("tr.webhook", new() { HasText = receiver.Url(path).ToString() });
        await row.GetByRole(AriaRole.Button, new() { Name = "Deliveries to" }).ClickAsync();
        // Events of deals moved just before the subscription may arrive too: the log lists every delivery it made.
        var delivered = page.Locator("tr.delivery.succeeded", new() { HasText = "StageChanged" });
        await Expect(delivered.First).ToBeVisibleAsync();
        await delivered.First.GetByRole(AriaRole.Button, new() { Name = "Redeliver StageChanged" }).ClickAsync();
        await Eventually.Until(() => Task.FromResult(receiver.Received(path)), r => r.GroupBy(d => d.DeliveryId).Any(g => g.Count() == 2),
            TimeSpan.FromSeconds(60), "a delivery received a second time, with the same id");
        await page.ScreenshotAsync(new() { Path = Path.Combine(WebSystem.Artefacts, "admin-webhooks.png"), FullPage = true });

        await page.ReloadAsync();
        await page.Locator(".admin-page[data-ready=true]").WaitForAsync();
        await Expect(page.Locator(".secret-once")).ToHaveCountAsync(0);
        await Expect(page.Locator("tr.webhook", new() { HasText = receiver.Url(path).ToString() })).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task An_admin_registers_an_api_client_whose_secret_works_once_shown_and_revokes_it()
    {
        var page = await Web.SignInAsync(Admin, path: "/admin/api-clients");
        await page.Locator(".admin-page[data-ready=true]").WaitForAsync();
        var name = Unique("Nightly ERP sync");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Register a client" }).ClickAsync();
        var clientId = (await page.Locator(".secret-once code.client-id").TextContentAsync())!.Trim();
        var secret = (await page.Locator(".secret-once code.secret").TextContentAsync())!.Trim();
        await Expect(page.Locator("tr.api-client", new() { HasText = name })).ToBeVisibleAsync();

        Assert.Equal(HttpStatusCode.OK, await ClientCredentialsAsync(clientId, secret));

        await page.GetByRole(AriaRole.Button, new() { Name = $"Revoke {name}" }).ClickAsync();
        await Expect(page.Locator("tr.api-client", new() { HasText = name })).ToHaveCountAsync(0);
        Assert.NotEqual(HttpStatusCode.OK, await ClientCredentialsAsync(clientId, secret));
    }

    private async Task<HttpStatusCode> ClientCredentialsAsync(string clientId, string secret)
    {
        using var response = await Web.Gateway.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret, ["scope"] = "pipeline-api",
        }));
        return response.StatusCode;
    }
}
