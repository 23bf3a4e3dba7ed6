using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Testing;
using static Pipeline.Opportunity.Tests.CsvImports;

namespace Pipeline.Opportunity.Tests;

/// <summary>CSV export: the native format that import reads back, the list's filters and each role's read access.</summary>
[Collection(OpportunityCollection.Name)]
public sealed class ExportTests(OpportunityServiceFixture service)
{
    [Fact]
    public async Task An_export_reimported_gives_the_same_opportunities()
    {
        var source = Unique("round-trip");
        var csv = string.Join("\r\n",
            NativeHeader,
            Line("Müller GmbH, fleet \"XL\"", "Müller GmbH", "Jürgen Müller", "jm@mueller.test", "1234.56", "EUR", "Default", "Proposal", "open",
                "2027-06-30", "2026-02-01T10:15:30.123456Z", "", "", "alice@acme.test", source, "mid-market"),
            Line("Two-line\nnotes", "Initech", "", "", "0", "USD", "Default", "Decision", "won", "", "2016-10-20", "2017-03-01T16:45:00Z", "",
                "carol@acme.test", source, ""),
            Line("=SUM(A1)", "", "", "", "99.9", "GBP", "Default", "Qualification", "lost", "", "2017-01-05", "2017-01-06", "Went with, \"the other\" vendor",
                "bob@acme.test", source, "smb"));
        using var admin = await service.ClientAsync(DemoUsers.AcmeAdmin);
        Assert.Equal(3, (await admin.ImportAsync(csv)).Int("rowsDone"));

        var export = await ExportAsync(admin, $"source={source}");
        Assert.Equal(NativeHeader.Split(','), export[0]);
        var rows = export.Skip(1).Select(r => string.Join("|", r)).ToList();
        Assert.Equal(3, rows.Count);
        var fleet = export.Single(r => r[0] == "Müller GmbH, fleet \"XL\"");
        Assert.Equal(["1234.56", "EUR", "Default", "Proposal", "open", "2027-06-30", "2026-02-01T10:15:30.123456Z", "", "", "alice@acme.test"], fleet[4..14]);
        var won = export.Single(r => r[0] == "Two-line\nnotes");
        Assert.Equal(("2016-10-20T00:00:00Z", "2017-03-01T16:45:00Z", "carol@acme.test"), (won[10], won[11], won[13]));
        Assert.Equal("Went with, \"the other\" vendor", export.Single(r => r[0] == "=SUM(A1)")[12]);

        // Importing the export again yields each deal a second time, identical in every column.
        var job = await admin.ImportAsync(await RawExportAsync(admin, $"source={source}"));
        Assert.Equal((3, 0), (job.Int("rowsDone"), job.Int("rowsFailed")));
        var again = (await ExportAsync(admin, $"source={source}")).Skip(1).Select(r => string.Join("|", r)).ToList();
        Assert.Equal(rows.Concat(rows).Order(), again.Order());
    }

    [Fact]
    public async Task An_export_holds_what_the_caller_may_read_filtered_as_the_list_is()
    {
        var marker = Unique("export-access");
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        using var bob = await service.ClientAsync(DemoUsers.Bob);
        using var carol = await service.ClientAsync(DemoUsers.Carol);
        using var admin = await service.ClientAsync(DemoUsers.AcmeAdmin);
        await CreateAsync(alice, $"Alice {marker}", "enterprise");
        var bobs = await CreateAsync(bob, $"Bob {marker}", "smb");
        await CreateAsync(carol, $"Carol {marker}", "enterprise");
        (await bob.PostAsync($"/api/opportunities/{bobs}/win", null)).EnsureSuccessStatusCode();

        Assert.Equal([$"Alice {marker}", $"Bob {marker}"], await TitlesAsync(alice, $"q={marker}"));
        Assert.Equal([$"Carol {marker}"], await TitlesAsync(carol, $"q={marker}"));
        Assert.Equal([$"Alice {marker}", $"Bob {marker}", $"Carol {marker}"], await TitlesAsync(admin, $"q={marker}"));
        Assert.Equal([$"Alice {marker}"], await TitlesAsync(alice, $"q={marker}&ownerId=me"));
        Assert.Equal([$"Bob {marker}"], await TitlesAsync(admin, $"q={marker}&status=won"));
        Assert.Equal([$"Alice {marker}", $"Carol {marker}"], await TitlesAsync(admin, $"q={marker}&segment=enterprise"));
        Assert.Equal([$"Carol {marker}"], await TitlesAsync(admin, $"q={marker}&teamId={DemoUsers.West}"));

        // Another organisation's export holds none of it.
        using var eve = await service.ClientAsync(DemoUsers.Eve);
        Assert.Empty(await TitlesAsync(eve, $"q={marker}"));

        var invalid = await admin.GetAsync("/api/opportunities/export?status=pending");
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await service.AnonymousClient().GetAsync("/api/opportunities/export")).StatusCode);
    }

    [Fact]
    public async Task An_export_is_a_csv_download_that_spreadsheets_read_as_utf8()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var response = await alice.GetAsync("/api/opportunities/export?q=nothing-matches-this");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.EndsWith(".csv", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        Assert.Equal(NativeHeader + "\r\n", System.Text.Encoding.UTF8.GetString(bytes[3..]));
    }

    private static async Task<string> RawExportAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync($"/api/opportunities/export?{query}");
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadAsStringAsync()).TrimStart('\uFEFF');
    }

    private static async Task<List<string[]>> ExportAsync(HttpClient client, string query) => Records(await RawExportAsync(client, query));

    private static async Task<string[]> TitlesAsync(HttpClient client, string query) =>
        (await ExportAsync(client, query)).Skip(1).Select(r => r[0]).Order().ToArray();

    private static async Task<Guid> CreateAsync(HttpClient client, string title, string segment) =>
        (await (await client.PostAsJsonAsync("/api/opportunities", new { title, amount = 1000, currency = "EUR", segment })).ReadAsync<JsonElement>()).Id();
}
