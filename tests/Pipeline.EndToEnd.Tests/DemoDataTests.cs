using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.EndToEnd.Tests;

/// <summary>What a newcomer sees on the first start of the local profile: Acme filled with demo deals, Globex untouched.</summary>
[Collection(PipelineCollection.Name)]
public sealed class DemoDataTests(PipelineApp pipeline)
{
    // The foreign export the demo is made from: 2,089 open deals, 4,238 won and 2,473 lost over its last ten months.
    public const int OpenDeals = 2_089;
    public const int WonDeals = 4_238;
    public const int LostDeals = 2_473;

    [Fact]
    public async Task Acmes_board_forecast_and_reports_are_filled_on_first_start()
    {
        var board = await Eventually.Until(
            async () => await GetAsync($"/api/pipelines/{await DefaultPipelineAsync(Tokens.Alice)}/board", Tokens.AcmeAdmin),
            b => b.GetProperty("columns").EnumerateArray().Sum(c => c.GetProperty("count").GetInt32()) == OpenDeals,
            TimeSpan.FromMinutes(2), "the demo deals are on the board");
        Assert.All(board.GetProperty("columns").EnumerateArray(), column =>
        {
            Assert.True(column.GetProperty("count").GetInt32() > 0, $"{column.GetProperty("name")} has deals");
            Assert.NotEmpty(column.GetProperty("cards").EnumerateArray());
        });

        var summary = await Eventually.Until(
            () => GetAsync("/api/reports/summary", Tokens.AcmeAdmin),
            s => s.GetProperty("wonCount").GetInt32() == WonDeals && s.GetProperty("lostCount").GetInt32() == LostDeals,
            TimeSpan.FromMinutes(2), "the reports count every demo deal closed in the last twelve months");
        Assert.InRange(summary.GetProperty("winRate").GetDouble(), 0.6, 0.65);
        Assert.True(summary.GetProperty("averageSalesCycleDays").GetDouble() > 30);

        // The forecast has open deals overdue and in each of the coming months.
        var forecast = await GetAsync("/api/reports/forecast?months=4", Tokens.AcmeAdmin);
        Assert.True(forecast.GetProperty("overdue").GetProperty("count").GetInt32() > 0);
        Assert.All(forecast.GetProperty("months").EnumerateArray(), month => Assert.True(month.GetProperty("count").GetInt32() > 0, month.ToString()));

        // A rep sees her team's deals only: carol (West) has hers, alice and bob (East) theirs.
        var carolsBoard = await GetAsync($"/api/pipelines/{await DefaultPipelineAsync(Tokens.Carol)}/board", Tokens.Carol);
        Assert.InRange(carolsBoard.GetProperty("columns").EnumerateArray().Sum(c => c.GetProperty("count").GetInt32()), 1, OpenDeals - 1);

        // Globex, a US organisation, gets a tenth of the deals in US dollars, and sees them in US dollars.
        var globex = await Eventually.Until(
            async () => await GetAsync($"/api/pipelines/{await DefaultPipelineAsync(Tokens.Eve)}/board", Tokens.Eve),
            b => b.GetProperty("columns").EnumerateArray().Sum(c => c.GetProperty("count").GetInt32()) > 100,
            TimeSpan.FromMinutes(2), "Globex's demo deals are on its board");
        Assert.Equal("USD", globex.GetProperty("currency").GetString());
        Assert.Empty(globex.GetProperty("missingRates").EnumerateArray());
        var globexSummary = await GetAsync("/api/reports/summary", Tokens.Eve);
        Assert.Equal("USD", globexSummary.GetProperty("currency").GetString());
    }

    [Fact]
    public async Task The_demo_deals_have_journeys_the_funnel_slipped_and_stale_reports_describe_and_a_rebuild_agrees_with()
    {
        // Every demo deal closed is projected (the fixture waited for it); the open ones too, with their journeys.
        var funnel = await GetAsync("/api/reports/funnel", Tokens.AcmeAdmin);
        var stages = funnel.GetProperty("stages").EnumerateArray().ToList();
        Assert.Equal(5, stages.Count);
        foreach (var stage in stages.SkipLast(1))
        {
            Assert.True(stage.GetProperty("advanced").GetInt32() > 0, $"{stage.GetProperty("name")}: deals advanced from it");
            Assert.True(stage.GetProperty("conversionRate").GetDouble() > 0.2, $"{stage.GetProperty("name")}: conversion {stage.GetProperty("conversionRate")}");
        }

        foreach (var stage in stages)
        {
            Assert.True(stage.GetProperty("medianDaysInStage").GetDouble() > 0, $"{stage.GetProperty("name")}: time is spent in it");
            Assert.True(stage.GetProperty("dropOffRate").GetDouble() > 0, $"{stage.GetProperty("name")}: deals are lost in it");
        }

        Assert.NotEmpty((await GetAsync("/api/reports/slipped", Tokens.AcmeAdmin)).GetProperty("items").EnumerateArray());
        Assert.NotEmpty((await GetAsync("/api/reports/stale", Tokens.AcmeAdmin)).GetProperty("items").EnumerateArray());

        // The figures are the event history's: rebuilt from it, the reports say the same.
        var summary = await GetAsync("/api/reports/summary", Tokens.AcmeAdmin);
        var started = await pipeline.Gateway.SendAsync(await pipeline.Tokens.AuthorizedAsync(HttpMethod.Post, "/api/reports/rebuild", Tokens.AcmeAdmin));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, started.StatusCode);
        var job = started.Headers.Location!.ToString();
        await Eventually.Until(async () => (await GetAsync(job, Tokens.AcmeAdmin)).GetProperty("status").GetString() == "completed",
            TimeSpan.FromMinutes(5), "the rebuild completes");
        Assert.Equal(Figures(summary), Figures(await GetAsync("/api/reports/summary", Tokens.AcmeAdmin)));
        Assert.Equal(funnel.GetProperty("stages").ToString(), (await GetAsync("/api/reports/funnel", Tokens.AcmeAdmin)).GetProperty("stages").ToString());
    }

    private static string Figures(JsonElement summary) => string.Join(";", new[]
    {
        "openCount", "openAmount", "weightedAmount", "wonCount", "wonAmount", "lostCount", "lostAmount", "conversionRate", "winRate",
        "averageSalesCycleDays", "medianSalesCycleDays",
    }.Select(name => $"{name}={summary.GetProperty(name)}"));

    private async Task<Guid> DefaultPipelineAsync(string user)
    {
        var pipelines = await (await pipeline.Gateway.SendAsync(await pipeline.Tokens.AuthorizedAsync(HttpMethod.Get, "/api/pipelines", user)))
            .Content.ReadFromJsonAsync<JsonElement[]>();
        return pipelines!.Single(p => p.GetProperty("isDefault").GetBoolean()).GetProperty("id").GetGuid();
    }

    private async Task<JsonElement> GetAsync(string url, string user)
    {
        var response = await pipeline.Gateway.SendAsync(await pipeline.Tokens.AuthorizedAsync(HttpMethod.Get, url, user));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
