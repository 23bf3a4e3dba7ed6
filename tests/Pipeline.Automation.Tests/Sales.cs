using System.Net.Http.Json;
using System.Text.Json;

namespace Pipeline.Automation.Tests;

/// <summary>What a salesperson does in the opportunity service, in the tests' words.</summary>
public static class Sales
{
    public static async Task<Guid> NewDealAsync(this HttpClient deals, string title, decimal amount = 10_000, string currency = "EUR", object? extra = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["title"] = title, ["accountName"] = "Initech", ["contactName"] = "Peter Gibbons", ["contactEmail"] = "peter@initech.test",
            ["amount"] = amount, ["currency"] = currency,
        };
        foreach (var property in extra?.GetType().GetProperties() ?? [])
        {
            body[property.Name] = property.GetValue(extra);
        }

        return (await (await deals.PostAsJsonAsync("/api/opportunities", body)).ReadAsync()).Id();
    }

    /// <summary>Drafts a quote on the deal and sends it; returns the quote's id.</summary>
    public static async Task<Guid> SendQuoteAsync(this HttpClient deals, Guid deal, decimal amount, string currency = "EUR")
    {
        var quote = (await (await deals.PostAsJsonAsync($"/api/opportunities/{deal}/quotes", new { amount, currency })).ReadAsync()).Id();
        (await deals.PostAsync($"/api/quotes/{quote}/send", null)).EnsureSuccessStatusCode();
        return quote;
    }

    /// <summary>The default pipeline's stages, by name.</summary>
    public static async Task<Dictionary<string, Guid>> DefaultStagesAsync(this HttpClient deals)
    {
        var pipelines = await (await deals.GetAsync("/api/pipelines")).ReadAsync();
        var pipeline = pipelines.EnumerateArray().First(p => p.GetProperty("isDefault").GetBoolean());
        return pipeline.GetProperty("stages").EnumerateArray().ToDictionary(s => s.Str("name")!, s => s.Id());
    }

    public static async Task MoveAsync(this HttpClient deals, Guid deal, Guid stage) =>
        (await deals.PostAsJsonAsync($"/api/opportunities/{deal}/stage", new { stageId = stage })).EnsureSuccessStatusCode();

    public static async Task<JsonElement[]> ActivitiesAsync(this HttpClient deals, Guid deal) =>
        (await (await deals.GetAsync($"/api/opportunities/{deal}/activities")).ReadAsync()).Items();
}
