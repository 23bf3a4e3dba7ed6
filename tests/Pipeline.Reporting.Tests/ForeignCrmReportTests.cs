using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.Reporting.Tests;

/// <summary>
/// A customer migrates the real foreign export through the opportunity service's import; the reports then say what
/// the customer's own spreadsheet of the same files says.
/// </summary>
[Collection(ReportingCollection.Name)]
public sealed class ForeignCrmReportTests(ReportingServiceFixture reporting)
{
    private const decimal EurPerUsd = 0.9m;

    [Fact]
    public async Task After_importing_the_foreign_export_the_reports_match_a_computation_from_its_files()
    {
        var export = ForeignCrmExport.Load();
        var source = $"maven-{Guid.NewGuid():N}"[..15];
        using var admin = await reporting.OpportunityClientAsync(DemoUsers.AcmeAdmin);
        (await admin.PutAsJsonAsync("/api/exchange-rates", new
        {
            currency = "EUR",
            rates = new[] { new { currency = "USD", rate = EurPerUsd, effectiveFrom = "2016-01-01" } },
        })).EnsureSuccessStatusCode();
        await ImportAsync(admin, export, source);

        // The customer's computation, straight from the files: every deal of the export closed in 2017.
        var closed = export.Deals.Where(d => d.Status != "open").ToList();
        var won = closed.Where(d => d.Status == "won").ToList();
        var cycles = won.Select(d => (d.ClosedAt!.Value - d.EngagedAt!.Value).TotalDays).Order().ToList();
        var median = cycles.Count % 2 == 1 ? cycles[cycles.Count / 2] : (cycles[cycles.Count / 2 - 1] + cycles[cycles.Count / 2]) / 2;
        var wonUsd = won.Sum(export.Amount);

        var period = $"source={source}&from=2016-01-01&to=2017-12-31";
        var summary = await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/summary?{period}",
            r => r.GetProperty("wonCount").GetInt32() + r.GetProperty("lostCount").GetInt32() == closed.Count, TimeSpan.FromMinutes(5));
        Assert.Equal(won.Count, summary.GetProperty("wonCount").GetInt32());
        Assert.Equal((double)won.Count / closed.Count, summary.GetProperty("winRate").GetDouble(), 6);
        Assert.Equal(cycles.Average(), summary.GetProperty("averageSalesCycleDays").GetDouble(), 4);
        Assert.Equal(median, summary.GetProperty("medianSalesCycleDays").GetDouble(), 4);
        Assert.Equal(Math.Round(wonUsd * EurPerUsd, 2), summary.GetProperty("wonAmount").GetDecimal());
        Assert.Equal(wonUsd, summary.GetProperty("byCurrency").EnumerateArray().Single(c => c.GetProperty("currency").GetString() == "USD")
            .GetProperty("wonAmount").GetDecimal());
        Assert.Empty(summary.GetProperty("missingRates").EnumerateArray());

        var bySegment = await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/win-loss?groupBy=segment&{period}", _ => true);
        var expected = closed.GroupBy(d => export.Sectors[d.Account])
            .ToDictionary(g => g.Key, g => (Won: g.Count(d => d.Status == "won"), Lost: g.Count(d => d.Status == "lost")));
        var actual = bySegment.GetProperty("groups").EnumerateArray().ToDictionary(
            g => g.GetProperty("key").GetString()!, g => (Won: g.GetProperty("won").GetInt32(), Lost: g.GetProperty("lost").GetInt32()));
        Assert.Equal(expected, actual);
        Assert.All(bySegment.GetProperty("groups").EnumerateArray(), g =>
        {
            var (w, l) = expected[g.GetProperty("key").GetString()!];
            Assert.Equal((double)w / (w + l), g.GetProperty("winRate").GetDouble(), 6);
        });
    }

    private static async Task ImportAsync(HttpClient admin, ForeignCrmExport export, string source)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(export.PipelineFile);
        file.Headers.ContentType = new("text/csv");
        form.Add(file, "file", "sales_pipeline.csv");
        form.Add(new StringContent(export.ImportOptions(source), System.Text.Encoding.UTF8, "application/json"), "options");
        var accepted = await admin.PostAsync("/api/opportunities/import", form);
        accepted.EnsureSuccessStatusCode();

        var job = await Eventually.Until(
            async () => await (await admin.GetAsync(accepted.Headers.Location)).Content.ReadFromJsonAsync<JsonElement>(),
            j => j.GetProperty("status").GetString() != "running", TimeSpan.FromMinutes(2), "the import ends");
        Assert.Equal(("completed", 8_800), (job.GetProperty("status").GetString(), job.GetProperty("rowsDone").GetInt32()));
    }
}
