using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.Reporting.Tests;

/// <summary>Deals made through the real opportunity service: a rebuild gives what the live projection gave; reps see their team.</summary>
[Collection(ReportingCollection.Name)]
public sealed class RebuildAndAccessTests(ReportingServiceFixture reporting)
{
    [Fact]
    public async Task A_rebuild_from_the_event_history_gives_the_same_figures_as_the_live_projection()
    {
        using var admin = await reporting.OpportunityClientAsync(DemoUsers.AcmeAdmin);
        var window = $"since={DateTimeOffset.UtcNow.AddHours(-1):yyyy-MM-ddTHH:mm:ssZ}&until={DateTimeOffset.UtcNow.AddHours(1):yyyy-MM-ddTHH:mm:ssZ}";
        var pipeline = await (await admin.PostAsJsonAsync("/api/pipelines", new
        {
            name = $"Rebuild {Guid.NewGuid():N}",
            stages = new[] { new { name = "Lead", probability = 20, rottingDays = 10 }, new { name = "Offer", probability = 60, rottingDays = 10 } },
        })).Content.ReadFromJsonAsync<JsonElement>();
        var pipelineId = pipeline.GetProperty("id").GetGuid();
        var offer = pipeline.GetProperty("stages")[1].GetProperty("id").GetGuid();
        for (var i = 1; i <= 6; i++)
        {
            var deal = await (await admin.PostAsJsonAsync("/api/opportunities", new { title = $"Deal {i}", amount = 1000 * i, currency = "EUR", pipelineId, segment = i % 2 == 0 ? "smb" : "enterprise" }))
                .Content.ReadFromJsonAsync<JsonElement>();
            var id = deal.GetProperty("id").GetGuid();
            await admin.PostAsJsonAsync($"/api/opportunities/{id}/stage", new { stageId = offer });
            if (i <= 2)
            {
                await admin.PostAsync($"/api/opportunities/{id}/win", null);
            }
            else if (i == 3)
            {
                await admin.PostAsJsonAsync($"/api/opportunities/{id}/lose", new { reason = "Timing" });
            }
        }

        var reports = new[] { "summary", "funnel", "win-loss?groupBy=segment", "forecast?months=3", $"changes?{window}" }
            .Select(r => $"/api/reports/{r}{(r.Contains('?') ? '&' : '?')}pipelineId={pipelineId}").ToArray();
        // Every one of the 15 events applied: the three open deals weighted at the offer's 60 %, six entries into each stage.
        var live = await reporting.ReportAsync(DemoUsers.AcmeAdmin, reports[0], r => r.GetProperty("wonCount").GetInt32() == 2 && r.GetProperty("openCount").GetInt32() == 3
            && r.GetProperty("lostCount").GetInt32() == 1 && r.GetProperty("weightedAmount").GetDecimal() == 9000m);
        var funnel = await reporting.ReportAsync(DemoUsers.AcmeAdmin, reports[1],
            r => r.GetProperty("stages").EnumerateArray().All(s => s.GetProperty("entered").GetInt32() == 6));
        var before = new List<string> { Figures(live), Figures(funnel) };
        foreach (var report in reports.Skip(2))
        {
            before.Add(Figures(await reporting.ReportAsync(DemoUsers.AcmeAdmin, report, _ => true)));
        }

        // The pipeline review of the hour: six deals created and moved forward, two won, one lost.
        var totals = (await reporting.ReportAsync(DemoUsers.AcmeAdmin, reports[^1], _ => true)).GetProperty("totals");
        Assert.Equal((6, 6, 2, 1, 0), (totals.GetProperty("created").GetInt32(), totals.GetProperty("movedForward").GetInt32(),
            totals.GetProperty("won").GetInt32(), totals.GetProperty("lost").GetInt32(), totals.GetProperty("movedBackward").GetInt32()));

        using var reports2 = await reporting.ReportingClientAsync(DemoUsers.AcmeAdmin);
        using var alice = await reporting.ReportingClientAsync(DemoUsers.Alice);
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.PostAsync("/api/reports/rebuild", null)).StatusCode);
        var started = await reports2.PostAsync("/api/reports/rebuild", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var job = await started.Content.ReadFromJsonAsync<JsonElement>();
        var done = await Eventually.Until(
            async () => await (await reports2.GetAsync($"/api/reports/rebuild/{job.GetProperty("id").GetGuid()}")).Content.ReadFromJsonAsync<JsonElement>(),
            j => j.GetProperty("status").GetString() != "running", TimeSpan.FromMinutes(2), "the rebuild finished");
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.True(done.GetProperty("eventsRead").GetInt32() >= 6 * 2 + 3);

        var after = new List<string>();
        foreach (var report in reports)
        {
            after.Add(Figures(await reporting.ReportAsync(DemoUsers.AcmeAdmin, report, _ => true)));
        }

        Assert.All(before.Zip(after), pair => Assert.Equal(pair.First, pair.Second));
    }

    [Fact]
    public async Task Reps_and_managers_see_their_teams_figures_and_admins_the_organisations()
    {
        using var carolDeals = await reporting.OpportunityClientAsync(DemoUsers.Carol);
        using var aliceDeals = await reporting.OpportunityClientAsync(DemoUsers.Alice);
        var segment = $"access-{Guid.NewGuid():N}";
        await carolDeals.PostAsJsonAsync("/api/opportunities", new { title = "West deal", amount = 700, currency = "EUR", segment });
        await aliceDeals.PostAsJsonAsync("/api/opportunities", new { title = "East deal", amount = 300, currency = "EUR", segment });

        var url = $"/api/reports/summary?segment={segment}";
        Assert.Equal(1000m, (await reporting.ReportAsync(DemoUsers.AcmeAdmin, url, r => r.GetProperty("openCount").GetInt32() == 2)).GetProperty("openAmount").GetDecimal());
        Assert.Equal(700m, (await reporting.ReportAsync(DemoUsers.Carol, url, r => r.GetProperty("openCount").GetInt32() == 1)).GetProperty("openAmount").GetDecimal());
        Assert.Equal(300m, (await reporting.ReportAsync(DemoUsers.Maria, url, r => r.GetProperty("openCount").GetInt32() == 1)).GetProperty("openAmount").GetDecimal());
        Assert.Equal(300m, (await reporting.ReportAsync(DemoUsers.Bob, url, r => r.GetProperty("openCount").GetInt32() == 1)).GetProperty("openAmount").GetDecimal());
        Assert.Equal(0, (await reporting.ReportAsync(DemoUsers.Eve, url, _ => true)).GetProperty("openCount").GetInt32());
    }

    [Fact]
    public async Task Reports_export_as_csv_and_bad_parameters_are_named()
    {
        using var client = await reporting.ReportingClientAsync(DemoUsers.AcmeAdmin);
        var csv = await client.GetAsync("/api/reports/win-loss?groupBy=segment&format=csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("key,won,lost,winRate,wonAmount,averageDealSize,averageCycleDays", await csv.Content.ReadAsStringAsync());

        var bad = await client.GetAsync("/api/reports/win-loss?groupBy=color&from=2026-05-01&to=2026-01-01&format=xml");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var badGroup = await client.GetAsync("/api/reports/win-loss?groupBy=color");
        Assert.True((await badGroup.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("groupBy", out _));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/reports/forecast?months=99")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/reports/stale?limit=1000")).StatusCode);
    }

    /// <summary>
    /// A report's figures, without its freshness stamp, which moves between two readings.
    /// </summary>
    private static string Figures(JsonElement report) =>
        System.Text.RegularExpressions.Regex.Replace(report.GetRawText(), "\"asOf\":(\"[^\"]*\"|null)", "");
}
