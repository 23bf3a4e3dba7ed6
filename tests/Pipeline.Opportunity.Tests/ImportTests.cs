using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Messaging.Tenancy;
using Pipeline.Opportunity.Domain;
using Pipeline.Opportunity.Import;
using Pipeline.Opportunity.Infrastructure;
using Pipeline.Testing;
using static Pipeline.Opportunity.Tests.CsvImports;

namespace Pipeline.Opportunity.Tests;

/// <summary>An admin migrating deals from CSV: the native format, bad rows, who may import, and bad options.</summary>
[Collection(OpportunityCollection.Name)]
public sealed class ImportTests(OpportunityServiceFixture service)
{
    [Fact]
    public async Task A_native_file_imports_every_field_and_keeps_the_historical_dates_in_the_deals_and_their_events()
    {
        var source = Unique("native");
        var csv = string.Join("\r\n",
            NativeHeader,
            Line("Fleet renewal", "Initech", "Peter Gibbons", "peter@initech.test", "12000.50", "EUR", "Default", "Proposal", "open",
                "2027-03-31", "2026-01-15T09:30:00Z", "", "", "alice@acme.test", source, "mid-market"),
            Line("Server racks, phase 2", "Globodyne", "Ann \"The Closer\" Lee", "ann@globodyne.test", "4821", "USD", "Default", "Decision", "won",
                "", "2016-10-20", "2017-03-01", "", "carol@acme.test", source, "enterprise"),
            Line("Printers", "Hooli", "", "", "55", "eur", "", "negotiation & follow-up", "Lost",
                "", "2017-01-05T08:00:00+01:00", "2017-02-10", "Price too high", "BOB@acme.test", source, "smb"));
        using var admin = await service.ClientAsync(DemoUsers.AcmeAdmin);

        var accepted = await admin.PostCsvAsync(csv);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var running = await accepted.ReadAsync<JsonElement>();
        Assert.Equal($"/api/opportunities/import/{running.Id()}", accepted.Headers.Location?.ToString());
        var job = await admin.FinishedAsync(accepted);
        Assert.Equal("completed", job.Str("status"));
        Assert.Equal((3, 3, 0), (job.Int("rowsTotal"), job.Int("rowsDone"), job.Int("rowsFailed")));
        Assert.Empty(job.Errors());

        var stages = await StagesAsync(admin);
        var deals = (await (await admin.GetAsync($"/api/opportunities?source={source}&limit=10")).ReadAsync<JsonElement>()).Items()
            .ToDictionary(d => d.Str("title")!);
        Assert.Equal(3, deals.Count);

        var fleet = deals["Fleet renewal"];
        Assert.Equal(("open", stages["Proposal"], 50), (fleet.Str("status"), fleet.Id("stageId"), fleet.Int("probability")));
        Assert.Equal(("Initech", "Peter Gibbons", "peter@initech.test"), (fleet.Str("accountName"), fleet.Str("contactName"), fleet.Str("contactEmail")));
        Assert.Equal((12000.50m, "EUR"), (fleet.Dec("amount"), fleet.Str("currency")));
        Assert.Equal(("2027-03-31", "mid-market"), (fleet.Str("expectedDecisionDate"), fleet.Str("segment")));
        Assert.Equal((DemoUsers.AliceId, DemoUsers.East.ToString()), (fleet.Str("ownerId"), fleet.Str("teamId")));
        Assert.Equal(At("2026-01-15T09:30:00Z"), fleet.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, fleet.GetProperty("closedAt").ValueKind);

        var racks = deals["Server racks, phase 2"];
        Assert.Equal(("won", stages["Decision"], "Ann \"The Closer\" Lee"), (racks.Str("status"), racks.Id("stageId"), racks.Str("contactName")));
        Assert.Equal((4821m, "USD"), (racks.Dec("amount"), racks.Str("currency")));
        Assert.Equal((DemoUsers.CarolId, DemoUsers.West.ToString()), (racks.Str("ownerId"), racks.Str("teamId")));
        Assert.Equal(At("2016-10-20T00:00:00Z"), racks.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal(At("2017-03-01T00:00:00Z"), racks.GetProperty("closedAt").GetDateTimeOffset());

        var printers = deals["Printers"];
        Assert.Equal(("lost", "Price too high", stages["Negotiation & follow-up"]), (printers.Str("status"), printers.Str("lostReason"), printers.Id("stageId")));
        Assert.Equal((55m, "EUR", DemoUsers.BobId), (printers.Dec("amount"), printers.Str("currency"), printers.Str("ownerId")));
        Assert.Equal(At("2017-01-05T07:00:00Z"), printers.GetProperty("createdAt").GetDateTimeOffset());

        // Consumers see imported deals in their own periods: creation and outcome carry the historical dates.
        var created = Assert.Single(await service.Events.WaitForAsync("OpportunityCreated", e => e.Guid("opportunityId") == racks.Id()));
        Assert.True(created.Message.GetProperty("imported").GetBoolean());
        Assert.Equal(At("2016-10-20T00:00:00Z"), created.Message.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal((1L, "Decision", "Server racks, phase 2"), (created.Long("version"), created.Text("stageName"), created.Text("title")));
        var won = Assert.Single(await service.Events.WaitForAsync("OpportunityWon", e => e.Guid("opportunityId") == racks.Id()));
        Assert.Equal(At("2017-03-01T00:00:00Z"), won.Message.GetProperty("closedAt").GetDateTimeOffset());
        // MassTransit's envelope writes decimals as strings.
        Assert.Equal((2L, 4821m), (won.Long("version"), decimal.Parse(won.Text("amount")!, System.Globalization.CultureInfo.InvariantCulture)));
        var lost = Assert.Single(await service.Events.WaitForAsync("OpportunityLost", e => e.Guid("opportunityId") == printers.Id()));
        Assert.Equal(("Price too high", At("2017-02-10T00:00:00Z")), (lost.Text("reason"), lost.Message.GetProperty("closedAt").GetDateTimeOffset()));
        var openCreated = Assert.Single(await service.Events.WaitForAsync("OpportunityCreated", e => e.Guid("opportunityId") == fleet.Id()));
        Assert.True(openCreated.Message.GetProperty("imported").GetBoolean());
        Assert.Empty(service.Events.Of("OpportunityWon", e => e.Guid("opportunityId") == fleet.Id()));
    }

    [Fact]
    public async Task Each_bad_row_is_reported_by_its_line_and_nothing_of_it_is_written_while_the_good_rows_import()
    {
        var source = Unique("bad-rows");
        string Row(string title, string amount = "100", string currency = "EUR", string stage = "", string status = "open", string decision = "",
            string created = "2017-01-10", string closed = "", string reason = "", string owner = "alice@acme.test") =>
            Line(title, "Account", "", "", amount, currency, "", stage, status, decision, created, closed, reason, owner, source, "");
        var lines = new[]
        {
            NativeHeader,                                                               // 1
            Row("good: plain"),                                                         // 2
            Line("good: two-line account", "Acme\r\nEurope", "", "", "5", "EUR", "", "", "open", "", "2017-01-10", "", "", "bob@acme.test", source, ""), // 3-4
            Row("bad: unknown stage", stage: "Closing"),                                // 5
            Row("bad: unknown owner", owner: "nobody@acme.test"),                       // 6
            Row("bad: amount", amount: "twelve"),                                       // 7
            Row("bad: date", created: "2017-13-45"),                                    // 8
            Row("bad: closed before created", status: "won", closed: "2016-12-31"),     // 9
            Row("bad: won without close date", status: "won"),                          // 10
            Row("bad: currency", currency: "XYZ"),                                      // 11
            "bad: too few fields,Account,,,100",                                        // 12
            "bad: stray \"quote\",Account,,,100,EUR,,,open,,2017-01-10,,,alice@acme.test," + source + ",", // 13
            Row("bad: decision before created", decision: "2016-12-01"),                // 14
            Row("good: lost without reason", status: "lost", closed: "2017-02-01"),     // 15
            Row("bad: two problems", amount: "-5", owner: "ghost@acme.test"),           // 16
            Line("good: bare", "", "", "", "", "", "", "", "", "", "", "", "", "", source, ""), // 17
            Row("bad: status", status: "pending"),                                      // 18
        };
        using var admin = await service.ClientAsync(DemoUsers.AcmeAdmin);

        // As a spreadsheet saves it: byte order mark, CRLF.
        var job = await admin.ImportAsync("\uFEFF" + string.Join("\r\n", lines) + "\r\n");

        Assert.Equal("completed", job.Str("status"));
        Assert.Equal((16, 4, 12), (job.Int("rowsTotal"), job.Int("rowsDone"), job.Int("rowsFailed")));
        var errors = job.Errors().ToDictionary(e => e.Line, e => e.Message);
        Assert.Equal([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 18], errors.Keys);
        Assert.Contains("stage: no stage named 'Closing'", errors[5]);
        Assert.Contains("ownerEmail: no user 'nobody@acme.test'", errors[6]);
        Assert.Contains("amount: 'twelve' is not an amount", errors[7]);
        Assert.Contains("createdAt: '2017-13-45' is not a date", errors[8]);
        Assert.Contains("closedAt: before the deal was created", errors[9]);
        Assert.Contains("closedAt: required for a won deal", errors[10]);
        Assert.Contains("currency: 'XYZ'", errors[11]);
        Assert.Contains("5 field(s), the header 16", errors[12]);
        Assert.Contains("quote", errors[13]);
        Assert.Contains("expectedDecisionDate: before the deal was created", errors[14]);
        Assert.Contains("amount:", errors[16]);
        Assert.Contains("ownerEmail: no user 'ghost@acme.test'", errors[16]);
        Assert.Contains("status: 'pending' is not open, won or lost", errors[18]);

        var deals = (await (await admin.GetAsync($"/api/opportunities?source={source}&limit=50")).ReadAsync<JsonElement>()).Items()
            .ToDictionary(d => d.Str("title")!);
        Assert.Equal(["good: bare", "good: lost without reason", "good: plain", "good: two-line account"], deals.Keys.Order());
        Assert.Equal("Acme\r\nEurope", deals["good: two-line account"].Str("accountName"));
        Assert.Equal("Imported", deals["good: lost without reason"].Str("lostReason"));

        // A bare row: created at the import, in the first stage, in the organisation's currency, owned by the importer.
        var bare = deals["good: bare"];
        var stages = await StagesAsync(admin);
        Assert.Equal((stages["Qualification"], "EUR", 0m, "open"), (bare.Id("stageId"), bare.Str("currency"), bare.Dec("amount"), bare.Str("status")));
        Assert.True(DateTimeOffset.UtcNow - bare.GetProperty("createdAt").GetDateTimeOffset() < TimeSpan.FromMinutes(5));
        Assert.NotEqual(DemoUsers.AliceId, bare.Str("ownerId"));

        var badTitles = lines.Skip(1).Select(l => Records(l)[0][0]).Where(t => t.StartsWith("bad", StringComparison.Ordinal)).ToHashSet();
        Assert.DoesNotContain(service.Events.Of("OpportunityCreated"), e => badTitles.Contains(e.Text("title")!) && e.Text("source") == source);
    }

    [Fact]
    public async Task A_large_file_is_imported_in_batches_keeping_the_first_thousand_errors_and_counting_them_all()
    {
        var source = Unique("batches");
        var rows = Enumerable.Range(0, 2_500).Select(i => i % 2 == 0
            ? Line($"Deal {i}", "", "", "", "10", "EUR", "", "", "open", "", "2017-01-10", "", "", "", source, "")
            : Line($"Deal {i}", "", "", "", "10", "EURO", "", "", "open", "", "2017-01-10", "", "", "", source, ""));
        using var admin = await service.ClientAsync(DemoUsers.AcmeAdmin);

        var job = await admin.ImportAsync(NativeHeader + "\n" + string.Join("\n", rows));

        Assert.Equal(("completed", 2_500, 1_250, 1_250), (job.Str("status"), job.Int("rowsTotal"), job.Int("rowsDone"), job.Int("rowsFailed")));
        var errors = job.Errors();
        Assert.Equal(1_000, errors.Length);
        Assert.Equal(Enumerable.Range(0, 1_000).Select(i => 3 + (2 * i)), errors.Select(e => e.Line));
        await using var scope = service.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Use(DemoUsers.Acme);
        var db = scope.ServiceProvider.GetRequiredService<OpportunityDbContext>();
        Assert.Equal(1_250, await db.Opportunities.CountAsync(o => o.Source == source));
        Assert.Equal(1_250, await db.History.CountAsync(h => db.Opportunities.Any(o => o.Id == h.OpportunityId && o.Source == source)));
    }

    [Fact]
    public async Task An_import_whose_replica_died_is_failed_once_stalled_while_one_its_live_replica_holds_keeps_running()
    {
        // Two jobs last heard of ten minutes ago: the first one's replica was killed mid-import; the second one
        // waits in the queue of a replica that is alive (a long import ahead of it).
        var orphaned = await AddRunningJobAsync(rowsDone: 3_000, lastHeardOf: TimeSpan.FromMinutes(10));
        var queued = await AddRunningJobAsync(rowsDone: 0, lastHeardOf: TimeSpan.FromMinutes(10));
        var liveReplica = new ImportQueue();
        liveReplica.Enqueue(new ImportWork(queued, DemoUsers.Acme, Importer, "/nonexistent.csv", new ImportOptions()));

        var failed = await ActivatorUtilities.CreateInstance<ImportWatch>(service.Services, liveReplica).SweepAsync(CancellationToken.None);
        await service.Services.GetRequiredService<ImportWatch>().SweepAsync(CancellationToken.None); // another replica's sweep

        Assert.Equal([orphaned], failed);
        using var admin = await service.ClientAsync(DemoUsers.AcmeAdmin);
        var orphanedJob = await (await admin.GetAsync($"/api/opportunities/import/{orphaned}")).ReadAsync<JsonElement>();
        Assert.Equal(("failed", 3_000, ImportWatch.StalledFailure), (orphanedJob.Str("status"), orphanedJob.Int("rowsDone"), orphanedJob.Str("failure")));
        Assert.NotNull(orphanedJob.Str("completedAt"));
        var queuedJob = await (await admin.GetAsync($"/api/opportunities/import/{queued}")).ReadAsync<JsonElement>();
        Assert.Equal("running", queuedJob.Str("status"));
    }

    private const string Importer = "an-admin";

    private async Task<Guid> AddRunningJobAsync(int rowsDone, TimeSpan lastHeardOf)
    {
        await using var scope = service.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Use(DemoUsers.Acme);
        var db = scope.ServiceProvider.GetRequiredService<OpportunityDbContext>();
        var startedAt = DateTimeOffset.UtcNow - lastHeardOf - TimeSpan.FromMinutes(1);
        var job = new ImportJob
        {
            Id = Guid.NewGuid(), CreatedBy = Importer, CreatedAt = startedAt, RowsTotal = 5_000, RowsDone = rowsDone,
            HeartbeatAt = DateTimeOffset.UtcNow - lastHeardOf,
        };
        db.ImportJobs.Add(job);
        await db.SaveChangesAsync();
        return job.Id;
    }

    [Theory]
    [InlineData(DemoUsers.Alice)]
    [InlineData(DemoUsers.Maria)]
    public async Task Only_admins_import(string user)
    {
        using var client = await service.ClientAsync(user);
        var response = await client.PostCsvAsync(NativeHeader + "\r\n" + Line("Not mine to import"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);

        using var admin = await service.ClientAsync(DemoUsers.AcmeAdmin);
        var job = await admin.ImportAsync(NativeHeader + "\n" + Line("Imported by the admin", "", "", "", "1", "EUR"));
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"/api/opportunities/import/{job.Id()}")).StatusCode);

        // Another organisation's admin does not even learn that the job exists.
        using var eve = await service.ClientAsync(DemoUsers.Eve);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.GetAsync($"/api/opportunities/import/{job.Id()}")).StatusCode);
    }

    [Theory]
    [InlineData("""{ "columns": { "close_value": "price" } }""", "options.columns.close_value", "'price'")]
    [InlineData("""{ "columns": { "deal_value": "amount" } }""", "options.columns.deal_value", "No column 'deal_value'")]
    [InlineData("""{ "columns": { "product": "title" }, "values": { "colour": { "red": "blue" } } }""", "options.values.colour", "Unknown field 'colour'")]
    [InlineData("""{ "columns": { "product": "title" }, "fill": { "amount": { "fromColumn": "price_list" } } }""", "options.fill.amount.fromColumn", "'price_list'")]
    [InlineData("""{ "columns": { "product": "title" }, "dateFormat": "banana" }""", "options.dateFormat", "date format")]
    [InlineData("""{ "columns": { "product": "title" }, "delimeter": ";" }""", "options.delimeter", "Unknown option")]
    [InlineData("""{ "columns": { "product": "title" }, "delimiter": ";;" }""", "options.delimiter", "One ASCII character")]
    [InlineData("""{ "columns": { "product": ["title", "segment"], "close_value": ["amount", "segment"] } }""", "options.columns.close_value", "mapped from 'product' already")]
    [InlineData("""{ "columns": { "close_value": "amount" } }""", "options.columns", "No column gives the title")]
    [InlineData("""{ "columns": """, "options", "not valid JSON")]
    [InlineData(null, "header", "Unknown columns 'product', 'close_value'")]
    public async Task Options_that_do_not_fit_the_file_are_refused_with_400_naming_them(string? options, string key, string message)
    {
        using var admin = await service.ClientAsync(DemoUsers.AcmeAdmin);
        var response = await admin.PostCsvAsync("product,close_value\r\nGTX Pro,4821\r\n", options);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var messages = problem.GetProperty("errors").GetProperty(key).EnumerateArray().Select(m => m.GetString()).ToArray();
        Assert.Contains(messages, m => m!.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_empty_file_a_file_without_header_and_a_file_of_another_type_are_refused()
    {
        using var admin = await service.ClientAsync(DemoUsers.AcmeAdmin);

        var empty = await admin.PostCsvAsync("");
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("The file is empty", await empty.Content.ReadAsStringAsync());

        var blankLines = await admin.PostCsvAsync("\uFEFF\r\n\r\n");
        Assert.Equal(HttpStatusCode.BadRequest, blankLines.StatusCode);

        var noHeader = await admin.PostCsvAsync(Line("Fleet renewal", "Initech", "", "", "1200", "EUR") + "\r\n");
        Assert.Equal(HttpStatusCode.BadRequest, noHeader.StatusCode);
        Assert.Contains("check that the first line is the header", await noHeader.Content.ReadAsStringAsync());

        var semicolons = await admin.PostCsvAsync("title;amount\r\nFleet;1200\r\n");
        Assert.Contains("set options.delimiter", await semicolons.Content.ReadAsStringAsync());

        var json = await admin.PostAsync("/api/opportunities/import", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);

        var formWithoutFile = await admin.PostAsync("/api/opportunities/import", new MultipartFormDataContent { { new StringContent("{}"), "options" } });
        Assert.Equal(HttpStatusCode.BadRequest, formWithoutFile.StatusCode);
    }

    [Fact]
    public async Task A_semicolon_file_with_its_own_date_format_imports_through_options_in_a_form()
    {
        var source = Unique("form");
        var csv = "Deal;Value;Opened;Closed;Result\r\nSpare parts;\"1250,00\";03/02/2017;17/03/2017;won\r\n";
        var options = $$"""
            { "delimiter": ";", "dateFormat": "dd/MM/yyyy",
              "columns": { "Deal": "title", "Value": "amount", "Opened": "createdAt", "Closed": "closedAt", "Result": "status" },
              "values": { "amount": { "1250,00": "1250" } },
              "defaults": { "currency": "CHF", "source": "{{source}}", "ownerEmail": "maria@acme.test" } }
            """;
        using var admin = await service.ClientAsync(DemoUsers.AcmeAdmin);

        var job = await admin.FinishedAsync(await admin.PostFormAsync(System.Text.Encoding.UTF8.GetBytes(csv), options));

        Assert.Equal((1, 0), (job.Int("rowsDone"), job.Int("rowsFailed")));
        var deal = Assert.Single((await (await admin.GetAsync($"/api/opportunities?source={source}")).ReadAsync<JsonElement>()).Items());
        Assert.Equal(("Spare parts", 1250m, "CHF", "won", DemoUsers.MariaId), (deal.Str("title"), deal.Dec("amount"), deal.Str("currency"), deal.Str("status"), deal.Str("ownerId")));
        Assert.Equal(At("2017-02-03T00:00:00Z"), deal.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal(At("2017-03-17T00:00:00Z"), deal.GetProperty("closedAt").GetDateTimeOffset());
    }

    /// <summary>
    /// The acceptance test of the issue: a customer migrates the real foreign export in <c>services/Opportunity/DemoData/crm-sales-opportunities</c>,
    /// building the options from its files as its README suggests, and every one of the 8,800 deals arrives as it was.
    /// </summary>
    [Fact]
    public async Task The_foreign_crm_export_imports_with_every_row_accounted_for()
    {
        var export = ForeignCrmExport.Load();
        var source = Unique("maven");
        using var admin = await service.ClientAsync(DemoUsers.AcmeAdmin);

        var job = await admin.FinishedAsync(await admin.PostFormAsync(export.PipelineFile, export.ImportOptions(source)), TimeSpan.FromMinutes(2));

        Assert.Equal("completed", job.Str("status"));
        Assert.Equal(8_800, job.Int("rowsTotal"));
        Assert.Equal(8_800, job.Int("rowsDone") + job.Int("rowsFailed"));
        Assert.Empty(job.Errors());
        Assert.Equal(0, job.Int("rowsFailed"));

        // What the customer expects, worked out from the files on its own, row by row.
        var stages = await StagesAsync(admin);
        var users = new Dictionary<string, string> { [DemoUsers.Alice] = DemoUsers.AliceId, [DemoUsers.Bob] = DemoUsers.BobId, [DemoUsers.Carol] = DemoUsers.CarolId };
        var expected = export.Deals.Select(d => new Deal(
            d.Product, d.Account.Length == 0 ? null : d.Account, d.Account.Length == 0 ? null : export.Sectors[d.Account], users[export.Owners[d.Agent]],
            d.Status, stages[d.DealStage switch { "Prospecting" => "Qualification", "Engaging" => "Discovery meeting", _ => "Decision" }],
            export.Amount(d), d.EngagedAt, d.ClosedAt, d.Status == "lost" ? "Lost before the migration" : null)).ToList();

        await using var scope = service.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Use(DemoUsers.Acme);
        var db = scope.ServiceProvider.GetRequiredService<OpportunityDbContext>();
        var imported = await db.Opportunities.AsNoTracking().Where(o => o.Source == source).ToListAsync();
        Assert.Equal(8_800, imported.Count);
        Assert.Equal(
            export.Deals.GroupBy(d => d.Status).ToDictionary(g => g.Key, g => g.Count()),
            imported.GroupBy(o => o.Status.Value).ToDictionary(g => g.Key, g => g.Count()));
        Assert.Equal((4_238, 2_473, 2_089), (imported.Count(o => o.Status.Value == "won"), imported.Count(o => o.Status.Value == "lost"), imported.Count(o => o.IsOpen)));
        Assert.All(imported, o => Assert.Equal("USD", o.Currency.Trim()));

        // Prospecting deals have no engage date: they enter the pipeline with the import.
        var actual = imported.Select(o => new Deal(o.Title, o.AccountName, o.Segment, o.OwnerId, o.Status.Value, o.StageId, o.Amount,
            o.CreatedAt > job.GetProperty("createdAt").GetDateTimeOffset().AddMinutes(-1) ? null : o.CreatedAt, o.ClosedAt, o.LostReason)).ToList();
        Assert.Equal(Multiset(expected), Multiset(actual));
        Assert.Equal(expected.Where(d => d.Status == "won").Sum(d => d.Amount), imported.Where(o => o.Status.Value == "won").Sum(o => o.Amount));

        // Spot checks, by hand from the file: line 2 (won), line 13 (lost, GTXPro priced as GTX Pro), line 11 (engaging, no account).
        Assert.Contains(actual, d => d == new Deal("GTX Plus Basic", "Cancity", "retail", DemoUsers.AliceId, "won", stages["Decision"], 1054m,
            At("2016-10-20T00:00:00Z"), At("2017-03-01T00:00:00Z"), null));
        Assert.Contains(actual, d => d == new Deal("GTXPro", "Genco Pura Olive Oil Company", "retail", DemoUsers.AliceId, "lost", stages["Decision"], 4821m,
            At("2016-11-04T00:00:00Z"), At("2017-03-18T00:00:00Z"), "Lost before the migration"));
        Assert.Contains(actual, d => d == new Deal("MG Advanced", null, null, DemoUsers.CarolId, "open", stages["Discovery meeting"], 3393m,
            At("2016-11-03T00:00:00Z"), null, null));
        Assert.Equal(export.Sectors.Values.Distinct().Order(), imported.Select(o => o.Segment).OfType<string>().Distinct().Order());
        Assert.DoesNotContain(imported, o => o.Segment == "technolgy");

        // And the customer checks the migration the way they would: an export of what arrived.
        var exported = Records(await (await admin.GetAsync($"/api/opportunities/export?source={source}")).Content.ReadAsStringAsync());
        Assert.Equal(8_801, exported.Count);
    }

    private sealed record Deal(
        string Title, string? Account, string? Segment, string OwnerId, string Status, Guid StageId, decimal Amount, DateTimeOffset? CreatedAt,
        DateTimeOffset? ClosedAt, string? LostReason);

    private static Dictionary<Deal, int> Multiset(IEnumerable<Deal> deals) => deals.GroupBy(d => d).ToDictionary(g => g.Key, g => g.Count());

    internal static async Task<Dictionary<string, Guid>> StagesAsync(HttpClient client)
    {
        var pipelines = await (await client.GetAsync("/api/pipelines")).ReadAsync<JsonElement[]>();
        var @default = pipelines.Single(p => p.GetProperty("isDefault").GetBoolean());
        return @default.GetProperty("stages").EnumerateArray().ToDictionary(s => s.Str("name")!, s => s.Id());
    }

    internal static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);
}
