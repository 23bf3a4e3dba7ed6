using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Pipeline.Testing;
using Pipeline.Web.Components.Import;
using static Microsoft.Playwright.Assertions;

namespace Pipeline.Web.Tests;

/// <summary>
/// An admin's import and export page. The shipped demo export (8,800 deals of another CRM) goes into Globex, as eve:
/// Acme has those deals already (the demo data), and the board and reports of Acme that other tests read stay as they are.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class ImportTests(WebSystem web) : BrowserTest(web)
{
    [Fact]
    public async Task Eve_maps_the_columns_of_the_shipped_foreign_export_and_watches_its_8800_deals_import_to_the_end()
    {
        var page = await Web.SignInAsync(DemoUsers.Eve, path: "/import");
        await Expect(page.Locator("[data-ready=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });

        await page.Locator("input[type=file]").SetInputFilesAsync(DemoExport);

        var mapping = page.Locator("[data-testid=mapping]");
        await Expect(mapping).ToContainTextAsync("sales_pipeline.csv is not in Pipeline.Cloud's format", new() { Timeout = 30_000 });
        await Expect(Column(page, "account")).ToHaveValueAsync("Account");
        await Expect(Column(page, "deal_stage")).ToHaveValueAsync("Ignore");
        await ChooseAsync(page, Column(page, "product"), "Title");
        await ChooseAsync(page, Column(page, "close_value"), "Amount");
        await ChooseAsync(page, Column(page, "engage_date"), "Created on");
        await Expect(page.GetByLabel("Date format", new() { Exact = true })).ToHaveValueAsync("dd-MM-yy (20-10-16)");
        await mapping.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true }).ClickAsync();

        var job = page.Locator("[data-testid=import-job]");
        await Expect(job).ToHaveAttributeAsync("data-status", "running", new() { Timeout = 30_000 });
        // Imports run one at a time: this one may wait for the end of the demo import, which the suite does not wait for.
        await Expect(job).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 360_000 });
        await Expect(job.GetByRole(AriaRole.Progressbar)).ToHaveAttributeAsync("aria-valuenow", "100");
        await Expect(job.Locator("[data-testid=import-status]")).ToHaveTextAsync("Completed");
        await Expect(job.Locator("[data-testid=import-counts]")).ToHaveTextAsync("100% · 8,800 of 8,800 rows · 8,800 imported · 0 not imported");
        await Expect(job.Locator("[data-testid=import-errors]")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new() { Path = Path.Combine(WebSystem.Artefacts, "import-progress.png"), FullPage = true, Animations = ScreenshotAnimations.Disabled });
    }

    [Fact]
    public async Task A_broken_native_file_imports_its_good_line_and_lists_each_bad_line_with_its_number_and_reason()
    {
        var marker = BoardTests.Unique("Broken import");
        var file = Path.Combine(Path.GetTempPath(), $"{marker.Replace(' ', '-')}.csv");
        await File.WriteAllLinesAsync(file,
        [
            "title,accountName,amount,currency,stage,status,expectedDecisionDate",
            $"{marker} good,Initech,1000,EUR,Qualification,open,2031-06-30",
            ",Initech,1000,EUR,Qualification,open,2031-06-30",
            $"{marker} bad date,Initech,1000,EUR,Qualification,open,31/06/2031",
            $"{marker} unknown stage,Initech,1000,EUR,Closing,open,2031-06-30",
        ]);
        try
        {
            var page = await Web.SignInAsync(DemoUsers.AcmeAdmin, path: "/import");
            await Expect(page.Locator("[data-ready=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });

            await page.Locator("input[type=file]").SetInputFilesAsync(file);

            // Pipeline.Cloud's own columns: no mapping step, the import starts at once.
            var job = page.Locator("[data-testid=import-job]");
            await Expect(job).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 180_000 });
            await Expect(page.Locator("[data-testid=mapping]")).ToHaveCountAsync(0);
            await Expect(job.Locator("[data-testid=import-counts]")).ToHaveTextAsync("100% · 4 of 4 rows · 1 imported · 3 not imported");
            var errors = job.Locator("[data-testid=import-errors] tbody tr");
            await Expect(errors).ToHaveCountAsync(3);
            await Expect(errors.Nth(0)).ToContainTextAsync("3");
            await Expect(errors.Nth(0)).ToContainTextAsync("title: required");
            await Expect(errors.Nth(1)).ToContainTextAsync("4");
            await Expect(errors.Nth(1)).ToContainTextAsync("expectedDecisionDate: '31/06/2031' is not a date");
            await Expect(errors.Nth(2)).ToContainTextAsync("5");
            await Expect(errors.Nth(2)).ToContainTextAsync("stage: no stage named 'Closing'");
            await page.ScreenshotAsync(new() { Path = Path.Combine(WebSystem.Artefacts, "import-errors.png"), FullPage = true, Animations = ScreenshotAnimations.Disabled });

            using var admin = await Web.ApiAsAsync(DemoUsers.AcmeAdmin);
            var imported = await admin.GetStringAsync($"/api/opportunities?q={Uri.EscapeDataString(marker)}");
            Assert.Contains($"{marker} good", imported, StringComparison.Ordinal);
            Assert.DoesNotContain($"{marker} unknown stage", imported, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Eve_translates_the_deal_stages_of_another_crm_into_her_stages_and_the_won_and_lost_outcomes()
    {
        var marker = BoardTests.Unique("Migrated");
        var file = Path.Combine(Path.GetTempPath(), $"{marker.Replace(' ', '-')}.csv");
        await File.WriteAllLinesAsync(file,
        [
            "product,account,deal_stage,engage_date,close_date,close_value",
            $"{marker} prospect,Initech,Prospecting,,,",
            $"{marker} engaged,Initech,Engaging,20-10-16,,",
            $"{marker} won,Initech,Won,20-10-16,01-03-17,1054",
            $"{marker} lost,Initech,Lost,25-10-16,11-03-17,",
        ]);
        try
        {
            var page = await Web.SignInAsync(DemoUsers.Eve, path: "/import");
            await Expect(page.Locator("[data-ready=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await page.Locator("input[type=file]").SetInputFilesAsync(file);

            var mapping = page.Locator("[data-testid=mapping]");
            await Expect(mapping).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await ChooseAsync(page, Column(page, "product"), "Title");
            await ChooseAsync(page, Column(page, "engage_date"), "Created on");
            await ChooseAsync(page, Column(page, "close_date"), "Closed on");
            await ChooseAsync(page, Column(page, "close_value"), "Amount");
            // The other CRM's deal stage gives an open deal's stage, or its outcome: Won and Lost are recognised, the open
            // stages are Eve's to place. Every value of the file is offered, not only those of its first lines.
            await ChooseAsync(page, Column(page, "deal_stage"), "Stage or outcome");
            var values = page.GetByTestId("values-deal_stage");
            await Expect(values.GetByLabel("Won", new() { Exact = true })).ToHaveValueAsync("Won");
            await Expect(values.GetByLabel("Lost", new() { Exact = true })).ToHaveValueAsync("Lost");
            await Expect(values.GetByLabel("Prospecting", new() { Exact = true })).ToHaveValueAsync("As in the file");
            await ChooseAsync(page, values.GetByLabel("Prospecting", new() { Exact = true }), "Open, in Qualification");
            await ChooseAsync(page, values.GetByLabel("Engaging", new() { Exact = true }), "Open, in Discovery meeting");
            await page.ScreenshotAsync(new() { Path = Path.Combine(WebSystem.Artefacts, "import-mapping.png"), FullPage = true, Animations = ScreenshotAnimations.Disabled });
            await mapping.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true }).ClickAsync();

            var job = page.Locator("[data-testid=import-job]");
            await Expect(job).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 360_000 });
            await Expect(job.Locator("[data-testid=import-counts]")).ToHaveTextAsync("100% · 4 of 4 rows · 4 imported · 0 not imported");

            using var eve = await Web.ApiAsAsync(DemoUsers.Eve);
            var stages = (await eve.GetFromJsonAsync<JsonElement>("/api/pipelines")).EnumerateArray()
                .SelectMany(p => p.GetProperty("stages").EnumerateArray())
                .ToDictionary(s => s.GetProperty("id").GetString()!, s => s.GetProperty("name").GetString()!);
            var deals = (await eve.GetFromJsonAsync<JsonElement>($"/api/opportunities?q={Uri.EscapeDataString(marker)}")).GetProperty("items").EnumerateArray()
                .ToDictionary(d => d.GetProperty("title").GetString()!, d => (Status: d.GetProperty("status").GetString(), Stage: stages[d.GetProperty("stageId").GetString()!]));
            Assert.Equal(("open", "Qualification"), deals[$"{marker} prospect"]);
            Assert.Equal(("open", "Discovery meeting"), deals[$"{marker} engaged"]);
            Assert.Equal("won", deals[$"{marker} won"].Status);
            Assert.Equal("lost", deals[$"{marker} lost"].Status);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task The_admin_downloads_every_deal_of_the_organisation_in_the_native_format()
    {
        var page = await Web.SignInAsync(DemoUsers.AcmeAdmin, path: "/import");
        var link = page.GetByRole(AriaRole.Link, new() { Name = "Download all deals (CSV)" });
        await Expect(link).ToBeVisibleAsync(new() { Timeout = 30_000 });

        var download = await page.RunAndWaitForDownloadAsync(() => link.ClickAsync(), new() { Timeout = 120_000 });

        var lines = await File.ReadAllLinesAsync((await download.PathAsync())!);
        Assert.StartsWith("title,accountName,contactName,contactEmail,amount,currency,pipeline,stage,status,expectedDecisionDate", lines[0].TrimStart('\uFEFF'), StringComparison.Ordinal);
        Assert.True(lines.Length > 8_000, $"{lines.Length} lines: the export has Acme's demo deals");
    }

    [Fact]
    public async Task Alice_a_rep_cannot_open_the_import_page_nor_use_its_api()
    {
        var page = await Web.SignInAsync(WebSystem.Alice);

        await page.GotoAsync(new Uri(WebSystem.Address, "/import").ToString());

        await Expect(page.GetByText("Your role does not give access to this page.")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Choose a CSV file" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Administration menu" })).ToHaveCountAsync(0);
        using var alice = await Web.ApiAsAsync(WebSystem.Alice);
        using var refused = await alice.PostAsync("/api/opportunities/import", new StringContent("title\nSneaky", System.Text.Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    /// <summary>The export the demo data is made from, as the repository ships it beside the opportunity service.</summary>
    private static string DemoExport
    {
        get
        {
            var folder = new DirectoryInfo(AppContext.BaseDirectory);
            while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Pipeline.Cloud.sln")))
            {
                folder = folder.Parent;
            }

            return Path.Combine(folder!.FullName, "services", "Opportunity", "DemoData", "crm-sales-opportunities", "sales_pipeline.csv");
        }
    }

    /// <summary>A column's field select in the mapping step, named by the column.</summary>
    private static ILocator Column(IPage page, string column) => page.GetByLabel(column, new() { Exact = true });

    private static async Task ChooseAsync(IPage page, ILocator select, string option)
    {
        await select.ClickAsync();
        await page.Locator(".mud-popover-open").GetByText(option, new() { Exact = true }).ClickAsync();
        await Expect(select).ToHaveValueAsync(option);
    }
}

/// <summary>What the import page reads of a file before sending it (no servers).</summary>
public sealed class CsvPreviewTests
{
    [Fact]
    public async Task A_foreign_files_first_lines_give_its_delimiter_columns_guesses_and_date_format()
    {
        using var csv = new MemoryStream("opportunity;Account;close_date;\"Deal \"\"value\"\"\"\r\nFleet;Initech;20-10-16;12\r\n"u8.ToArray());
        var preview = await CsvPreview.ReadAsync(csv);

        Assert.Equal(';', preview.Delimiter);
        Assert.Equal(["opportunity", "Account", "close_date", "Deal \"value\""], preview.Columns);
        Assert.False(preview.IsNative);
        Assert.Equal("accountName", CsvPreview.GuessField("Account"));
        Assert.Null(CsvPreview.GuessField("opportunity"));
        Assert.Equal("dd-MM-yy", preview.GuessDateFormat());
        Assert.Equal("""{"columns":{"opportunity":"title","close_date":"closedAt"},"dateFormat":"dd-MM-yy","delimiter":";"}""",
            preview.Options(new Dictionary<string, string?> { ["opportunity"] = "title", ["Account"] = null, ["close_date"] = "closedAt" }, "dd-MM-yy"));
    }

    [Fact]
    public async Task A_deal_stage_columns_values_are_read_through_the_whole_file_and_translated_to_a_stage_or_an_outcome()
    {
        var lines = new[] { "product,deal_stage,agent" }
            .Concat(Enumerable.Range(0, 40).Select(i => $"GTX {i},{(i < 30 ? "Prospecting" : i % 2 == 0 ? "Won" : "Closed Lost")},agent{i}"))
            .Append("Quote,engaging ,agent99");
        using var csv = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", lines)));
        var preview = await CsvPreview.ReadAsync(csv);

        // Values past the first rows count, in their order of appearance, once whatever their case and spaces.
        Assert.Equal(["Prospecting", "Won", "Closed Lost", "engaging"], preview.DistinctValues(1));
        Assert.Null(preview.DistinctValues(2));
        string[] stages = ["Qualification", "Discovery meeting", "Engaging"];
        Assert.Equal(["", "won", "lost", "stage:Engaging"], preview.DistinctValues(1)!.Select(v => CsvPreview.GuessMeaning(CsvPreview.StageOutcome, v, stages)));
        Assert.Equal(["", "won", "lost", ""], preview.DistinctValues(1)!.Select(v => CsvPreview.GuessMeaning("status", v, stages)));

        var options = preview.Options(
            new Dictionary<string, string?> { ["product"] = "title", ["deal_stage"] = CsvPreview.StageOutcome, ["agent"] = null }, null,
            new Dictionary<string, Dictionary<string, string>>
            {
                ["deal_stage"] = new() { ["Prospecting"] = "stage:Qualification", ["Won"] = "won", ["Closed Lost"] = "lost", ["engaging"] = "" },
            });
        Assert.Equal(
            """{"columns":{"product":"title","deal_stage":["status","stage"]},"values":{"status":{"Prospecting":"open","Won":"won","Closed Lost":"lost"},"stage":{"Prospecting":"Qualification","Won":"","Closed Lost":""}}}""",
            options);
    }

    [Fact]
    public async Task A_file_with_only_pipeline_clouds_columns_is_native_and_needs_no_options()
    {
        using var csv = new MemoryStream("title,Amount,stage\nFleet,12,Proposal\n"u8.ToArray());
        var preview = await CsvPreview.ReadAsync(csv);

        Assert.True(preview.IsNative);
        Assert.Null(preview.Options(null, null));
    }
}
