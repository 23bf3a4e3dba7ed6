using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.Opportunity.Tests;

/// <summary>
/// The service follows each organisation's settings as identity publishes them: Globex is a USD organisation in New
/// York, Acme a EUR one in Paris, and neither is treated as the other.
/// </summary>
[Collection(OpportunityCollection.Name)]
public sealed class OrganizationSettingsTests(OpportunityServiceFixture service)
{
    [Fact]
    public async Task Globex_sees_its_exchange_rates_and_board_in_US_dollars_and_Acme_in_euros()
    {
        using var eve = await service.ClientAsync(DemoUsers.Eve);
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        await WaitForCurrencyAsync(eve, "USD");
        Assert.Equal("EUR", (await (await alice.GetAsync("/api/exchange-rates")).ReadAsync<JsonElement>()).Str("currency"));

        var (pipeline, stage) = await NewPipelineAsync(eve);
        await CreateAsync(eve, pipeline, stage, 1_000m, "USD");
        await CreateAsync(eve, pipeline, stage, 500m, "EUR");
        var board = await (await eve.GetAsync($"/api/pipelines/{pipeline}/board")).ReadAsync<JsonElement>();
        Assert.Equal("USD", board.Str("currency"));
        Assert.Equal(1_000m, board.GetProperty("columns")[0].Dec("amount"));
        Assert.Equal(["EUR"], board.GetProperty("missingRates").EnumerateArray().Select(c => c.GetString()));

        // Rates are quoted in the organisation's currency; naming another currency for the table is refused.
        var euros = await eve.PutAsJsonAsync("/api/exchange-rates", new { currency = "EUR", rates = Array.Empty<object>() });
        Assert.Equal(422, (int)euros.StatusCode);
        Assert.Contains("PUT /api/organization", await euros.Content.ReadAsStringAsync());
        await SetRatesAsync(eve, ("EUR", 1.1m));
        board = await (await eve.GetAsync($"/api/pipelines/{pipeline}/board")).ReadAsync<JsonElement>();
        Assert.Equal(1_550m, board.GetProperty("columns")[0].Dec("amount"));
        Assert.Empty(board.GetProperty("missingRates").EnumerateArray());
    }

    [Fact]
    public async Task Changing_the_organisations_currency_converts_every_total_through_the_rates_already_entered()
    {
        using var eve = await service.ClientAsync(DemoUsers.Eve);
        using var identity = await service.Issuer.ClientAsync(DemoUsers.Eve);
        await WaitForCurrencyAsync(eve, "USD");
        var (pipeline, stage) = await NewPipelineAsync(eve);
        await CreateAsync(eve, pipeline, stage, 1_100m, "USD");
        await CreateAsync(eve, pipeline, stage, 200m, "EUR");
        await CreateAsync(eve, pipeline, stage, 300m, "JPY");
        await SetRatesAsync(eve, ("EUR", 1.1m));

        try
        {
            await PutOrganizationAsync(identity, "EUR");
            await WaitForCurrencyAsync(eve, "EUR");
            var rates = await (await eve.GetAsync("/api/exchange-rates")).ReadAsync<JsonElement>();
            Assert.Equal("USD", rates.Str("quotedIn"));

            // 1,100 USD at 1 / 1.1 EUR, 200 EUR as they are; the yen has no rate and is named, not counted as zero.
            var board = await (await eve.GetAsync($"/api/pipelines/{pipeline}/board")).ReadAsync<JsonElement>();
            Assert.Equal("EUR", board.Str("currency"));
            Assert.Equal(1_200m, board.GetProperty("columns")[0].Dec("amount"));
            Assert.Equal(["JPY"], board.GetProperty("missingRates").EnumerateArray().Select(c => c.GetString()));
        }
        finally
        {
            await PutOrganizationAsync(identity, "USD");
            await WaitForCurrencyAsync(eve, "USD");
        }
    }

    [Fact]
    public async Task An_activity_due_on_a_day_in_Globex_turns_overdue_at_New_Yorks_midnight_not_at_UTCs()
    {
        using var eve = await service.ClientAsync(DemoUsers.Eve);
        await WaitForCurrencyAsync(eve, "USD");
        var (pipeline, stage) = await NewPipelineAsync(eve);
        var deal = await CreateAsync(eve, pipeline, stage, 10m, "USD");
        var subject = $"Call back {Guid.NewGuid():N}";
        (await eve.PostAsJsonAsync($"/api/opportunities/{deal}/activities", new { type = "call", subject, dueDate = "2027-03-10" })).EnsureSuccessStatusCode();

        try
        {
            // 22:30 in New York on the 10th: already the 11th in UTC, still the due day in New York.
            service.Clock.Set(DateTimeOffset.Parse("2027-03-11T03:30:00Z"));
            Assert.DoesNotContain(subject, await AgendaAsync(eve, "overdue"));
            Assert.Contains(subject, await AgendaAsync(eve, "today"));

            // 00:30 in New York on the 11th.
            service.Clock.Set(DateTimeOffset.Parse("2027-03-11T05:30:00Z"));
            Assert.Contains(subject, await AgendaAsync(eve, "overdue"));
            Assert.DoesNotContain(subject, await AgendaAsync(eve, "today"));
        }
        finally
        {
            service.Clock.Reset();
        }
    }

    [Fact]
    public async Task An_activity_is_due_at_a_time_or_on_a_day_but_not_both()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var deal = (await (await alice.PostAsJsonAsync("/api/opportunities", new { title = "Both dues", amount = 1m, currency = "EUR" })).ReadAsync<JsonElement>()).Id();
        var both = await alice.PostAsJsonAsync($"/api/opportunities/{deal}/activities",
            new { type = "task", subject = "Both", dueAt = "2027-03-10T09:00:00Z", dueDate = "2027-03-10" });
        Assert.Equal(400, (int)both.StatusCode);
        Assert.Contains("dueDate", await both.Content.ReadAsStringAsync());
    }

    private static async Task<string[]> AgendaAsync(HttpClient client, string due) =>
        (await (await client.GetAsync($"/api/activities?due={due}&limit=200")).ReadAsync<JsonElement>()).Items().Select(a => a.Str("subject")!).ToArray();

    private static Task WaitForCurrencyAsync(HttpClient client, string currency) =>
        Eventually.Until(async () => (await (await client.GetAsync("/api/exchange-rates")).ReadAsync<JsonElement>()).Str("currency") == currency,
            TimeSpan.FromSeconds(30), $"the opportunity service knows the organisation's currency is {currency}");

    private static async Task PutOrganizationAsync(HttpClient identity, string currency) =>
        (await identity.PutAsJsonAsync("/api/organization",
            new { name = "Globex", currency, timeZone = "America/New_York", fiscalYearStartMonth = 1 })).EnsureSuccessStatusCode();

    private static async Task SetRatesAsync(HttpClient admin, params (string Currency, decimal Rate)[] rates) =>
        (await admin.PutAsJsonAsync("/api/exchange-rates", new
        {
            rates = rates.Select(r => new { currency = r.Currency, rate = r.Rate, effectiveFrom = "2020-01-01" }).ToArray(),
        })).EnsureSuccessStatusCode();

    private static async Task<(Guid Pipeline, Guid Stage)> NewPipelineAsync(HttpClient admin)
    {
        var pipeline = await (await admin.PostAsJsonAsync("/api/pipelines", new
        {
            name = $"Settings test {Guid.NewGuid():N}",
            stages = new[] { new { name = "Only", probability = 50, rottingDays = 10 } },
        })).ReadAsync<JsonElement>();
        return (pipeline.Id(), pipeline.GetProperty("stages")[0].Id());
    }

    private static async Task<Guid> CreateAsync(HttpClient client, Guid pipelineId, Guid stageId, decimal amount, string currency) =>
        (await (await client.PostAsJsonAsync("/api/opportunities", new { title = $"Deal {amount} {currency}", amount, currency, pipelineId, stageId }))
            .ReadAsync<JsonElement>()).Id();
}
