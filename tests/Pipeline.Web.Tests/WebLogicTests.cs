using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Pipeline.Testing;
using Pipeline.Web.Domain;

namespace Pipeline.Web.Tests;

/// <summary>The web UI's pure logic, and the generated API client against the documents it was generated from (no servers).</summary>
public sealed class WebLogicTests
{
    [Theory]
    [InlineData("fr-FR", "12 000,00 €")]
    [InlineData("en-US", "€12,000.00")]
    [InlineData("de-DE", "12.000,00 €")]
    public void Amounts_follow_the_browsers_language_in_the_deals_currency(string culture, string expected) =>
        Assert.Equal(expected, Formats.Money(12_000m, "EUR", CultureInfo.GetCultureInfo(culture)).Replace('\u202F', ' ').Replace('\u00A0', ' '));

    [Fact]
    public void A_dollar_amount_stays_in_dollars_in_a_french_browser() =>
        Assert.Equal("2 500,00 $", Formats.Money(2_500m, "USD", CultureInfo.GetCultureInfo("fr-FR")).Replace('\u202F', ' ').Replace('\u00A0', ' '));

    [Theory]
    [InlineData("2027-01-31", 2027, 2, "2027-02-28")]
    [InlineData("2028-01-31", 2028, 2, "2028-02-29")]
    [InlineData("2027-03-15", 2027, 5, "2027-05-15")]
    [InlineData("2027-05-31", 2027, 6, "2027-06-30")]
    public void A_deal_dragged_to_another_month_keeps_its_day_where_that_month_has_it(string from, int year, int month, string expected) =>
        Assert.Equal(DateOnly.Parse(expected, CultureInfo.InvariantCulture),
            DecisionMonths.MoveTo(DateOnly.Parse(from, CultureInfo.InvariantCulture), year, month, new DateOnly(2026, 12, 1)));

    [Fact]
    public void A_deal_dragged_to_this_month_is_never_decided_before_today() =>
        Assert.Equal(new DateOnly(2027, 3, 20), DecisionMonths.MoveTo(new DateOnly(2027, 1, 5), 2027, 3, new DateOnly(2027, 3, 20)));

    [Fact]
    public void An_undated_deal_takes_the_months_last_day() =>
        Assert.Equal(new DateOnly(2027, 4, 30), DecisionMonths.MoveTo(null, 2027, 4, new DateOnly(2027, 3, 20)));

    [Theory]
    [InlineData("en-US", 0, "0 deals")]
    [InlineData("en-US", 1, "1 deal")]
    [InlineData("en-US", 2100, "2,100 deals")]
    [InlineData("fr-FR", 0, "0 affaire")]
    [InlineData("fr-FR", 1, "1 affaire")]
    [InlineData("fr-FR", 2100, "2 100 affaires")]
    public void A_columns_count_of_deals_is_written_in_the_browsers_language(string culture, int count, string expected)
    {
        var (before, beforeUi) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            Assert.Equal(expected, Texts.Deals(count).Replace('\u202F', ' ').Replace('\u00A0', ' '));
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (before, beforeUi);
        }
    }

    [Theory]
    [InlineData("en-US", 8, 14, "8–14 days")]
    [InlineData("en-US", 1000, null, "1,000 days or more")]
    [InlineData("fr-FR", 0, 7, "0 à 7 jours")]
    [InlineData("fr-FR", 366, null, "366 jours ou plus")]
    public void A_bucket_of_sales_cycles_is_named_by_its_days_in_the_browsers_language(string culture, int from, int? to, string expected)
    {
        var (before, beforeUi) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            Assert.Equal(expected, ReportFormats.CycleRange(from, to, CultureInfo.CurrentCulture).Replace('\u202F', ' ').Replace('\u00A0', ' '));
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (before, beforeUi);
        }
    }

    [Fact]
    public void Every_text_has_its_french_version() => Assert.Empty(Texts.MissingInFrench);

    [Theory]
    [InlineData("identity")]
    [InlineData("opportunity")]
    public void Every_route_the_web_client_calls_reaches_its_service_through_the_gateway(string service)
    {
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestServers.RepositoryRoot, "gateway", "Pipeline.Gateway", "appsettings.json")));
        // YARP picks the most specific route; a catch-all "/x/{**path}" also matches "/x" itself.
        var routes = settings.RootElement.GetProperty("ReverseProxy").GetProperty("Routes").EnumerateObject()
            .Select(r => (Path: r.Value.GetProperty("Match").GetProperty("Path").GetString()!, Cluster: r.Value.GetProperty("ClusterId").GetString()!))
            .Where(r => !r.Path.Contains(":regex(", StringComparison.Ordinal))
            .Select(r => (Prefix: r.Path.EndsWith("/{**path}", StringComparison.Ordinal) ? r.Path[..^"/{**path}".Length] : r.Path, r.Cluster))
            .ToList();
        using var document = JsonDocument.Parse(File.ReadAllText(OpenApiDocuments.SnapshotPath(service)));

        var misrouted = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name)
            .Select(path => (path, routes.Where(r => path == r.Prefix || path.StartsWith(r.Prefix + "/", StringComparison.Ordinal))
                .MaxBy(r => r.Prefix.Length).Cluster))
            .Where(p => p.Cluster != service)
            .Select(p => $"{p.path} goes to {p.Cluster}")
            .ToList();

        Assert.Empty(misrouted);
    }

    [Fact]
    public async Task The_generated_api_client_is_what_nswag_makes_of_the_committed_openapi_documents()
    {
        var clients = Path.Combine(TestServers.RepositoryRoot, "services", "Web", "ApiClients");
        var copy = Directory.CreateTempSubdirectory("api-client-");
        try
        {
            Directory.CreateDirectory(Path.Combine(copy.FullName, "OpenApi"));
            foreach (var file in Directory.GetFiles(Path.Combine(clients, "OpenApi")))
            {
                File.Copy(file, Path.Combine(copy.FullName, "OpenApi", Path.GetFileName(file)));
            }

            foreach (var config in Directory.GetFiles(clients, "*.nswag.json"))
            {
                File.Copy(config, Path.Combine(copy.FullName, Path.GetFileName(config)));
                using var nswag = Process.Start(new ProcessStartInfo("dotnet", ["nswag", "run", Path.Combine(copy.FullName, Path.GetFileName(config))])
                {
                    WorkingDirectory = TestServers.RepositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true,
                })!;
                var output = await nswag.StandardOutput.ReadToEndAsync() + await nswag.StandardError.ReadToEndAsync();
                await nswag.WaitForExitAsync();
                Assert.True(nswag.ExitCode == 0, output);
            }

            foreach (var generated in Directory.GetFiles(clients, "*.g.cs"))
            {
                Assert.True(File.ReadAllText(generated) == File.ReadAllText(Path.Combine(copy.FullName, Path.GetFileName(generated))),
                    $"{generated} is not what eng/generate-api-client.sh makes of the committed OpenAPI documents: run it and commit the result.");
            }
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }
}
