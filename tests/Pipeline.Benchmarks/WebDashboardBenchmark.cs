using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Pipeline.Testing;
using static Microsoft.Playwright.Assertions;

namespace Pipeline.Benchmarks;

/// <summary>
/// The dashboard's target (issue 19): over Acme's demo deals, in Debian's Chromium against the whole system under
/// Aspire, navigation to <c>/dashboard</c> until its tiles and its four charts are drawn (target &lt; 2 s), for the
/// default period and for a filtered one (a team and the fiscal quarter). CPU per load is summed over this run's
/// processes, as in <see cref="WebBoardBenchmark"/>. Run under <c>flock /tmp/pipeline-8080.lock</c>: the system takes port 8080.
/// </summary>
public static class WebDashboardBenchmark
{
    private static readonly Uri Address = new("http://localhost:8080/");
    private const int Loads = 22, WarmUp = 2;

    public static async Task RunAsync()
    {
        var data = Path.Combine(Path.GetTempPath(), $"pipeline-bench-dashboard-{Guid.NewGuid():N}");
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Pipeline_AppHost>(
        [
            "Infra:Mode=local", $"Infra:DataDirectory={data}", "Infra:PostgresPort=55434", "Infra:RabbitMqPort=56722",
            "Infra:RabbitMqManagementPort=15674", "DcpPublisher:RandomizePorts=false",
        ]);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
        await using var app = await builder.BuildAsync();
        await app.StartAsync();
        await app.ResourceNotifications.WaitForResourceHealthyAsync("gateway");
        await app.ResourceNotifications.WaitForResourceHealthyAsync("web");
        using var admin = await WebBoardBenchmark.ApiAsync("admin@acme.test");
        var pipelineId = (await admin.GetFromJsonAsync<JsonElement>("/api/pipelines"))[0].GetProperty("id").GetString()!;
        await Eventually.Until(async () => await WebBoardBenchmark.OpenDealsAsync(admin, pipelineId) > 2_000, TimeSpan.FromMinutes(5), "the demo deals are imported");
        MachineCpu SystemCpu() => MachineCpu.ReadTrees((id, commandLine) => id == Environment.ProcessId
            || commandLine.Contains(data, StringComparison.Ordinal)
            || commandLine.Contains(Path.Combine(TestServers.RepositoryRoot, "services") + "/", StringComparison.Ordinal)
            || commandLine.Contains(Path.Combine(TestServers.RepositoryRoot, "gateway") + "/", StringComparison.Ordinal));
        // The reports count what the projection has applied: measure once the import's events are all in.
        var busy = await Eventually.Until(() => WebBoardBenchmark.BusyAsync(SystemCpu), share => share < 0.3, TimeSpan.FromMinutes(10), "the system is idle after the import");
        Console.WriteLine($"the run's processes use {busy:P0} of a core at rest");
        var summary = await admin.GetFromJsonAsync<JsonElement>("/api/reports/summary");
        Console.WriteLine($"the last 12 months: {summary.GetProperty("openCount")} open, {summary.GetProperty("wonCount")} won, {summary.GetProperty("lostCount")} lost");
        var east = (await admin.GetFromJsonAsync<JsonElement>("/api/teams")).EnumerateArray()
            .Single(t => t.GetProperty("name").GetString() == "East").GetProperty("id").GetString();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        // The admin reads the whole organisation's figures: the largest dashboard.
        var page = await WebBoardBenchmark.SignInAsync(browser, "admin@acme.test");
        foreach (var (name, path) in new[] { ("default (last 12 months)", "/dashboard"), ("team East, fiscal quarter", $"/dashboard?period=fiscal-quarter&team={east}") })
        {
            var loads = new List<double>();
            var cpu = SystemCpu();
            for (var run = 0; run < Loads; run++)
            {
                var clock = Stopwatch.StartNew();
                await page.GotoAsync(new Uri(Address, path).ToString());
                await page.Locator(".dashboard[data-ready=true]").WaitForAsync(new() { Timeout = 30_000 });
                // Drawn: every chart's bars are in the page, not only the tiles.
                await Expect(page.Locator(".report-chart svg")).ToHaveCountAsync(4);
                loads.Add(clock.Elapsed.TotalMilliseconds);
            }

            Console.WriteLine($"dashboard {name}, navigation until tiles and charts are drawn: {new Latencies(loads.Skip(WarmUp))}");
            Console.WriteLine($"  CPU ms per load: {SystemCpu().PerOperationSince(cpu, Loads)}");
        }

        await app.StopAsync();
    }
}
