using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.Opportunity.Tests;

/// <summary>
/// The board, the filtered list and converted totals. Each test works in a pipeline of its own, so the numbers
/// it checks are its own whatever else the other tests create.
/// </summary>
[Collection(OpportunityCollection.Name)]
public sealed class PipelineViewsTests(OpportunityServiceFixture service)
{
    [Fact]
    public async Task The_board_shows_per_stage_counts_totals_weighted_totals_per_currency_and_converted()
    {
        using var admin = await service.ClientAsync(DemoUsers.AcmeAdmin);
        await SetRatesAsync(admin);
        var (pipelineId, stages) = await NewPipelineAsync(admin);
        await CreateAsync(admin, pipelineId, stages[0], 1000, "EUR");
        await CreateAsync(admin, pipelineId, stages[0], 3000, "EUR");
        await CreateAsync(admin, pipelineId, stages[0], 2000, "USD");   // at 0.9 EUR: 1800 EUR
        await CreateAsync(admin, pipelineId, stages[1], 500, "EUR");
        var lost = await CreateAsync(admin, pipelineId, stages[1], 9999, "EUR");
        await admin.PostAsJsonAsync($"/api/opportunities/{lost}/lose", new { reason = "No budget" });

        var board = await (await admin.GetAsync($"/api/pipelines/{pipelineId}/board")).ReadAsync<JsonElement>();
        Assert.Equal("EUR", board.Str("currency"));
        var columns = board.GetProperty("columns").EnumerateArray().ToArray();
        var first = columns[0];
        Assert.Equal(3, first.Int("count"));
        Assert.Equal(1000m + 3000m + 1800m, first.Dec("amount"));
        Assert.Equal((1000m + 3000m + 1800m) * 0.2m, first.Dec("weightedAmount"));
        var byCurrency = first.GetProperty("byCurrency").EnumerateArray().ToDictionary(c => c.Str("currency")!, c => c.Dec("amount"));
        Assert.Equal(4000m, byCurrency["EUR"]);
        Assert.Equal(2000m, byCurrency["USD"]);
        Assert.Equal(3, first.GetProperty("cards").GetArrayLength());

        // Lost deals are not on the board.
        Assert.Equal(1, columns[1].Int("count"));
        Assert.Equal(500m, columns[1].Dec("amount"));
        Assert.Equal(250m, columns[1].Dec("weightedAmount"));
    }

    [Fact]
    public async Task The_list_filters_sorts_and_pages_by_keyset_without_skipping_or_repeating()
    {
        using var admin = await service.ClientAsync(DemoUsers.AcmeAdmin);
        var (pipelineId, stages) = await NewPipelineAsync(admin);
        var created = new List<Guid>();
        for (var i = 0; i < 23; i++)
        {
            created.Add(await CreateAsync(admin, pipelineId, stages[i % 2], 100 + i, "EUR", decision: $"2032-{1 + i % 12:00}-{1 + i:00}"));
        }

        var seen = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await (await admin.GetAsync($"/api/opportunities?pipelineId={pipelineId}&sort=-amount&limit=5" + (cursor is null ? "" : $"&cursor={cursor}"))).ReadAsync<JsonElement>();
            seen.AddRange(page.Items());
            cursor = page.Str("nextCursor");
        }
        while (cursor is not null);

        Assert.Equal(23, seen.Count);
        Assert.Equal(created.Order(), seen.Select(o => o.Id()).Order());
        Assert.Equal(seen.Select(o => o.Dec("amount")).OrderDescending(), seen.Select(o => o.Dec("amount")));

        var byDecision = (await (await admin.GetAsync($"/api/opportunities?pipelineId={pipelineId}&limit=200")).ReadAsync<JsonElement>()).Items();
        Assert.Equal(byDecision.Select(o => o.Str("expectedDecisionDate")).Order(), byDecision.Select(o => o.Str("expectedDecisionDate")));

        var inStage = (await (await admin.GetAsync($"/api/opportunities?pipelineId={pipelineId}&stageId={stages[1]}&limit=200")).ReadAsync<JsonElement>()).Items();
        Assert.Equal(11, inStage.Length);
        var window = (await (await admin.GetAsync($"/api/opportunities?pipelineId={pipelineId}&decisionFrom=2032-03-01&decisionTo=2032-03-31&limit=200")).ReadAsync<JsonElement>()).Items();
        Assert.All(window, o => Assert.StartsWith("2032-03", o.Str("expectedDecisionDate")));
        Assert.NotEmpty(window);
    }

    [Fact]
    public async Task Search_finds_deals_by_title_account_or_contact()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var marker = Guid.NewGuid().ToString("N")[..8];
        await alice.PostAsJsonAsync("/api/opportunities", new { title = $"Laptops {marker}", amount = 1, currency = "EUR" });
        await alice.PostAsJsonAsync("/api/opportunities", new { title = "Servers", accountName = $"Umbrella {marker}", amount = 1, currency = "EUR" });
        await alice.PostAsJsonAsync("/api/opportunities", new { title = "Chairs", contactName = $"Dr {marker.ToUpperInvariant()}", amount = 1, currency = "EUR" });

        var found = (await (await alice.GetAsync($"/api/opportunities?q={marker}")).ReadAsync<JsonElement>()).Items();
        Assert.Equal(["Chairs", "Laptops " + marker, "Servers"], found.Select(o => o.Str("title")).Order());
        var percent = (await (await alice.GetAsync("/api/opportunities?q=%25")).ReadAsync<JsonElement>()).Items();
        Assert.Empty(percent);
    }

    [Fact]
    public async Task Exchange_rates_are_read_by_all_and_changed_by_admins_with_an_event_per_rate()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        using var admin = await service.ClientAsync(DemoUsers.AcmeAdmin);
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.PutAsJsonAsync("/api/exchange-rates", new { currency = "EUR", rates = Array.Empty<object>() })).StatusCode);

        var bad = await admin.PutAsJsonAsync("/api/exchange-rates", new { currency = "EUR", rates = new[] { new { currency = "ABC", rate = -1m, effectiveFrom = "2026-01-01" } } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        await SetRatesAsync(admin);
        var rates = await (await alice.GetAsync("/api/exchange-rates")).ReadAsync<JsonElement>();
        Assert.Equal("EUR", rates.Str("currency"));
        Assert.Contains(rates.GetProperty("rates").EnumerateArray(), r => r.Str("currency") == "USD" && r.Dec("rate") == 0.9m);
        await service.Events.WaitForAsync("ExchangeRateChanged", e => e.Text("currency") == "USD");
    }

    [Fact]
    public async Task The_board_filters_as_the_list_does_and_shows_each_cards_next_activity_and_pushes()
    {
        using var admin = await service.ClientAsync(DemoUsers.AcmeAdmin);
        var (pipelineId, stages) = await NewPipelineAsync(admin);
        var pushed = await CreateAsync(admin, pipelineId, stages[0], 1000, "EUR", "2031-01-10");
        await CreateAsync(admin, pipelineId, stages[0], 2000, "EUR", "2031-01-20");
        (await admin.PatchAsJsonAsync($"/api/opportunities/{pushed}", new { expectedDecisionDate = "2031-02-10", segment = "smb" })).EnsureSuccessStatusCode();
        (await admin.PatchAsJsonAsync($"/api/opportunities/{pushed}", new { expectedDecisionDate = "2031-03-10" })).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync($"/api/opportunities/{pushed}/activities", new { type = "call", subject = "Call the buyer", dueAt = "2031-01-05T09:00:00Z" })).EnsureSuccessStatusCode();

        var board = await (await admin.GetAsync($"/api/pipelines/{pipelineId}/board?segment=smb")).ReadAsync<JsonElement>();
        var first = board.GetProperty("columns")[0];
        Assert.Equal(1, first.Int("count"));
        Assert.Equal(1000m, first.Dec("amount"));
        var facts = first.GetProperty("cardFacts")[0];
        Assert.Equal(pushed, facts.GetProperty("opportunityId").GetGuid());
        Assert.Equal(2, facts.Int("pushes"));
        Assert.Equal("Call the buyer", facts.GetProperty("nextActivity").Str("subject"));
    }

    [Fact]
    public async Task The_pipeline_by_decision_date_has_a_column_per_month_with_its_totals_and_answers_404_to_another_organisation()
    {
        using var admin = await service.ClientAsync(DemoUsers.AcmeAdmin);
        var (pipelineId, stages) = await NewPipelineAsync(admin);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var nextMonth = new DateOnly(today.Year, today.Month, 1).AddMonths(1);
        await CreateAsync(admin, pipelineId, stages[0], 1000, "EUR", nextMonth.AddDays(3).ToString("yyyy-MM-dd"));
        await CreateAsync(admin, pipelineId, stages[1], 3000, "EUR", nextMonth.AddDays(20).ToString("yyyy-MM-dd"));
        await CreateAsync(admin, pipelineId, stages[1], 500, "EUR");

        var board = await (await admin.GetAsync($"/api/pipelines/{pipelineId}/board/by-decision-date?months=3")).ReadAsync<JsonElement>();
        var columns = board.GetProperty("columns").EnumerateArray().ToDictionary(c => c.Str("key")!);
        Assert.Equal(["overdue", today.ToString("yyyy-MM"), nextMonth.ToString("yyyy-MM"), nextMonth.AddMonths(1).ToString("yyyy-MM"), "undated"], columns.Keys);
        var month = columns[nextMonth.ToString("yyyy-MM")];
        Assert.Equal(2, month.Int("count"));
        Assert.Equal(4000m, month.Dec("amount"));
        Assert.Equal(1000m * 0.2m + 3000m * 0.5m, month.Dec("weightedAmount"));
        Assert.Equal(1, columns["undated"].Int("count"));
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync($"/api/pipelines/{pipelineId}/board/by-decision-date?months=40")).StatusCode);

        using var eve = await service.ClientAsync(DemoUsers.Eve);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.GetAsync($"/api/pipelines/{pipelineId}/board/by-decision-date")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.GetAsync($"/api/pipelines/{pipelineId}/board?segment=smb")).StatusCode);
    }

    private static async Task SetRatesAsync(HttpClient admin) =>
        (await admin.PutAsJsonAsync("/api/exchange-rates", new
        {
            currency = "EUR",
            rates = new[] { new { currency = "USD", rate = 0.9m, effectiveFrom = "2020-01-01" }, new { currency = "GBP", rate = 1.15m, effectiveFrom = "2020-01-01" } },
        })).EnsureSuccessStatusCode();

    private static async Task<(Guid Pipeline, Guid[] Stages)> NewPipelineAsync(HttpClient admin)
    {
        var pipeline = await (await admin.PostAsJsonAsync("/api/pipelines", new
        {
            name = $"View test {Guid.NewGuid():N}",
            stages = new[] { new { name = "First", probability = 20, rottingDays = 10 }, new { name = "Second", probability = 50, rottingDays = 10 } },
        })).ReadAsync<JsonElement>();
        return (pipeline.Id(), pipeline.GetProperty("stages").EnumerateArray().Select(s => s.Id()).ToArray());
    }

    private static async Task<Guid> CreateAsync(HttpClient client, Guid pipelineId, Guid stageId, decimal amount, string currency, string? decision = null) =>
        (await (await client.PostAsJsonAsync("/api/opportunities", new
        {
            title = $"Deal {amount} {currency}", amount, currency, pipelineId, stageId, expectedDecisionDate = decision,
        })).ReadAsync<JsonElement>()).Id();
}
