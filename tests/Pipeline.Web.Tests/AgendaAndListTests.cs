using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using static Pipeline.Web.Tests.BoardTests;

namespace Pipeline.Web.Tests;

/// <summary>The agenda of follow-ups across deals, and the list of deals with its sorting and its CSV export.</summary>
[Collection(WebCollection.Name)]
public sealed class AgendaAndListTests(WebSystem web) : BrowserTest(web)
{
    [Fact]
    public async Task An_overdue_follow_up_is_on_the_agenda_and_completed_from_it()
    {
        using var api = await Web.ApiAsAsync(WebSystem.Alice);
        var id = await CreateDealAsync(api, Unique("Agenda deal"), 4_000m, null);
        var subject = Unique("Call back about the quote");
        // Missed long ago: the agenda lists the oldest first, ahead of alice's many demo follow-ups.
        using var scheduled = await api.PostAsJsonAsync($"/api/opportunities/{id}/activities",
            new { type = "call", subject, dueAt = DateTimeOffset.UtcNow.AddYears(-3) });
        scheduled.EnsureSuccessStatusCode();
        var activityId = (await scheduled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var page = await Web.SignInAsync(WebSystem.Alice, path: "/agenda");
        await page.Locator(".agenda[data-ready=true]").WaitForAsync();
        var item = page.Locator(".agenda-section.overdue li.activity", new() { HasText = subject });
        await Expect(item).ToBeVisibleAsync();
        await Expect(item.GetByRole(AriaRole.Link)).ToHaveAttributeAsync("href", $"/opportunities/{id}");

        await item.GetByRole(AriaRole.Button, new() { Name = $"Complete: {subject}" }).ClickAsync();

        await Expect(page.Locator("li.activity", new() { HasText = subject })).ToHaveCountAsync(0);
        var activity = await api.GetFromJsonAsync<JsonElement>($"/api/activities/{activityId}");
        Assert.True(activity.GetProperty("done").GetBoolean());
    }

    [Fact]
    public async Task The_list_sorts_by_a_column_and_exports_exactly_what_it_lists()
    {
        using var api = await Web.ApiAsAsync(WebSystem.Alice);
        var marker = Unique("Listed");
        foreach (var amount in new[] { 9_000m, 3_000m, 5_000m })
        {
            await CreateDealAsync(api, $"{marker} {amount.ToString(CultureInfo.InvariantCulture)}", amount, null);
        }

        var page = await Web.SignInAsync(WebSystem.Alice, path: $"/opportunities?q={Uri.EscapeDataString(marker)}");
        var table = page.Locator("table.deal-table[data-ready=true]");
        await Expect(table.Locator("tbody tr")).ToHaveCountAsync(3);

        // Each click re-reads the list sorted (the sort is in the URL): its header says which way once it is done.
        var amountHeader = table.Locator("th", new() { HasText = "Amount" });
        await amountHeader.GetByRole(AriaRole.Button).ClickAsync();
        await Expect(amountHeader).ToHaveAttributeAsync("aria-sort", "ascending");
        await Expect(table.Locator("tbody tr td.num")).ToHaveTextAsync(new[] { "€3,000.00", "€5,000.00", "€9,000.00" });
        await amountHeader.GetByRole(AriaRole.Button).ClickAsync();
        await Expect(amountHeader).ToHaveAttributeAsync("aria-sort", "descending");
        await Expect(table.Locator("tbody tr td.num")).ToHaveTextAsync(new[] { "€9,000.00", "€5,000.00", "€3,000.00" });
        Assert.Contains("sort=-amount", page.Url, StringComparison.Ordinal);

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=export]").ClickAsync());
        var csv = await File.ReadAllLinesAsync((await download.PathAsync())!);
        var rows = csv.Skip(1).Where(line => line.Length > 0).ToList();
        Assert.Equal(3, rows.Count);
        Assert.All(rows, row => Assert.Contains(marker, row, StringComparison.Ordinal));
    }
}
