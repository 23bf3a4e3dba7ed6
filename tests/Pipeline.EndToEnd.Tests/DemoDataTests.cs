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

        // Globex gets no demo deals.
        var globex = await GetAsync($"/api/pipelines/{await DefaultPipelineAsync(Tokens.Eve)}/board", Tokens.Eve);
        Assert.Equal(0, globex.GetProperty("columns").EnumerateArray().Sum(c => c.GetProperty("count").GetInt32()));
    }

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
