using System.Net;
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
public sealed class ImportTests(WebSystem system)
{
    [Fact]
    public async Task Eve_maps_the_columns_of_the_shipped_foreign_export_and_watches_its_8800_deals_import_to_the_end()
    {
        var page = await system.SignInAsync(DemoUsers.Eve, path: "/import");
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
            var page = await system.SignInAsync(DemoUsers.AcmeAdmin, path: "/import");
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

            using var admin = await system.ApiAsAsync(DemoUsers.AcmeAdmin);
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
    public async Task The_admin_downloads_every_deal_of_the_organisation_in_the_native_format()
    {
        var page = await system.SignInAsync(DemoUsers.AcmeAdmin, path: "/import");
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
        var page = await system.SignInAsync(WebSystem.Alice);

        await page.GotoAsync(new Uri(WebSystem.Address, "/import").ToString());

        await Expect(page.GetByText("Your role does not give access to this page.")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Choose a CSV file" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Administration menu" })).ToHaveCountAsync(0);
        using var alice = await system.ApiAsAsync(WebSystem.Alice);
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
    public async Task A_file_with_only_pipeline_clouds_columns_is_native_and_needs_no_options()
    {
        using var csv = new MemoryStream("title,Amount,stage\nFleet,12,Proposal\n"u8.ToArray());
        var preview = await CsvPreview.ReadAsync(csv);

        Assert.True(preview.IsNative);
        Assert.Null(preview.Options(null, null));
    }
}
