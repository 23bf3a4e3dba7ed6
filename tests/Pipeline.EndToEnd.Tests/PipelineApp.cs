using System.Diagnostics;
using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Testing;

namespace Pipeline.EndToEnd.Tests;

/// <summary>Every end-to-end test class shares one running system: starting it takes most of a minute.</summary>
[CollectionDefinition(Name)]
public sealed class PipelineCollection : ICollectionFixture<PipelineApp>
{
    public const string Name = "pipeline";
}

/// <summary>
/// The whole system under Aspire, started once for all end-to-end tests: PostgreSQL and RabbitMQ launched from the OS
/// packages (on ports of its own, with fresh data), every service with its migrations, the gateway on :8080.
/// </summary>
public sealed class PipelineApp : IAsyncLifetime
{
    public static readonly string[] Services =
        [ResourceNames.Identity, ResourceNames.Opportunity, ResourceNames.Automation, ResourceNames.Notification, ResourceNames.Reporting];

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"pipeline-e2e-{Guid.NewGuid():N}");

    public DistributedApplication App { get; private set; } = null!;

    /// <summary>The gateway, at the address users and API clients use.</summary>
    public HttpClient Gateway { get; } = new() { BaseAddress = new Uri("http://localhost:8080"), Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Real tokens of the demo users, from the running issuer.</summary>
    public Tokens Tokens { get; private set; } = null!;

    /// <summary>What a script waiting for the gateway's readiness saw, from the start on a fresh data folder.</summary>
    public StartUpObservation StartUp { get; private set; } = null!;

    /// <summary>The Aspire dashboard, whose telemetry API shows what an SRE would see.</summary>
    public HttpClient Dashboard { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Pipeline_AppHost>(
            new DistributedApplicationTestingBuilderOptions { EnableDashboard = true },
        [
            "Infra:Mode=local",
            $"Infra:DataDirectory={_dataDirectory}",
            "Infra:PostgresPort=55434",
            "Infra:RabbitMqPort=56722",
            "Infra:RabbitMqManagementPort=15674",
            // The gateway keeps its documented address, http://localhost:8080.
            "DcpPublisher:RandomizePorts=false",
        ]);
        // Resource logs at warning and above reach the test output; health probes failing while the services
        // start are expected and left out.
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
        App = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        var clock = Stopwatch.StartNew();
        await App.StartAsync(timeout.Token);
        Tokens = new Tokens(Gateway);
        StartUp = await StartUpObservation.WatchAsync(Gateway, Tokens, clock, timeout.Token);
        foreach (var resource in Services.Append(ResourceNames.Gateway))
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }

        // The dashboard's telemetry API takes the key the AppHost generated for this run.
        var dashboard = await App.GetDashboardUrlAsync(timeout.Token);
        Dashboard = new HttpClient { BaseAddress = new Uri(dashboard.GetLeftPart(UriPartial.Authority)) };
        var apiKey = App.Services.GetRequiredService<IConfiguration>()["AppHost:DashboardApiKey"];
        if (!string.IsNullOrEmpty(apiKey))
        {
            Dashboard.DefaultRequestHeaders.Add("x-api-key", apiKey);
        }

        await WaitForDemoDealsAsync();
    }

    /// <summary>
    /// On first start the opportunity service imports Acme's demo deals and every service handles their events:
    /// tens of thousands of spans, which would crowd a test's trace out of the dashboard. The tests start once the
    /// reports count every demo deal closed, as an SRE would look at a system that has settled.
    /// </summary>
    private async Task WaitForDemoDealsAsync()
    {
        var token = await Tokens.ForAsync(Tokens.AcmeAdmin);
        await Eventually.Until(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/reports/summary");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            using var response = await Gateway.SendAsync(request);
            return response.IsSuccessStatusCode
                && (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("wonCount").GetInt32() >= DemoDataTests.WonDeals;
        }, TimeSpan.FromMinutes(5), "the demo deals are imported and projected");
    }

    /// <summary>A service called directly, bypassing the gateway.</summary>
    public HttpClient Direct(string service) =>
        new() { BaseAddress = App.GetEndpoint(service, "http"), Timeout = TimeSpan.FromSeconds(30) };

    public Task<string?> ConnectionStringAsync(string name) => App.GetConnectionStringAsync(name).AsTask();

    public async Task StopServiceAsync(string name)
    {
        var result = await App.ResourceCommands.ExecuteCommandAsync(name, KnownResourceCommands.StopCommand);
        Assert.True(result.Success, result.Message);
        await App.ResourceNotifications.WaitForResourceAsync(name, KnownResourceStates.TerminalStates);
    }

    public async Task StartServiceAsync(string name)
    {
        var result = await App.ResourceCommands.ExecuteCommandAsync(name, KnownResourceCommands.StartCommand);
        Assert.True(result.Success, result.Message);
        await App.ResourceNotifications.WaitForResourceHealthyAsync(name).WaitAsync(StartTimeout);
    }

    public async Task DisposeAsync()
    {
        Gateway.Dispose();
        Dashboard?.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean up with the temp folder.
        }
    }
}
