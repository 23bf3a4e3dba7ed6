using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Pipeline.Testing;

namespace Pipeline.Web.Tests;

[CollectionDefinition(Name)]
public sealed class WebCollection : ICollectionFixture<WebSystem>
{
    public const string Name = "web";
}

/// <summary>
/// The whole system under Aspire (as tests/Pipeline.EndToEnd.Tests starts it: PostgreSQL and RabbitMQ from the OS
/// packages on ports of their own with fresh data, every service, the gateway on :8080), the demo deals imported, and
/// Debian's Chromium driven by Playwright.
/// </summary>
public sealed class WebSystem : IAsyncLifetime
{
    public const string DemoPassword = "demo-password";
    public const string Alice = "alice@acme.test";
    public const string Bob = "bob@acme.test";

    public static readonly Uri Address = new("http://localhost:8080/");

    /// <summary>Where screenshots go: the test run's artefacts.</summary>
    public static readonly string Artefacts = Path.Combine(AppContext.BaseDirectory, "screenshots");

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"pipeline-web-{Guid.NewGuid():N}");
    private DistributedApplication _app = null!;
    private IPlaywright _playwright = null!;

    // The browser contexts opened by the test running now (the collection runs one test at a time).
    private readonly List<IBrowserContext> _contexts = [];

    public IBrowser Browser { get; private set; } = null!;

    public HttpClient Gateway { get; } = new() { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Artefacts);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Pipeline_AppHost>(
        [
            "Infra:Mode=local",
            $"Infra:DataDirectory={_dataDirectory}",
            "Infra:PostgresPort=55434",
            "Infra:RabbitMqPort=56722",
            "Infra:RabbitMqManagementPort=15674",
            "DcpPublisher:RandomizePorts=false",
        ]);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
        _app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await _app.StartAsync(timeout.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.Gateway, timeout.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.Web, timeout.Token);
        // The board is meaningful once Acme's demo deals are in.
        await Eventually.Until(async () => (await OpenDealsAsync(Alice)) > 1_000, TimeSpan.FromMinutes(4), "the demo deals are imported");

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>Stops one of the system's services (a test of what users see while it is down); see <see cref="StartServiceAsync"/>.</summary>
    public async Task StopServiceAsync(string name)
    {
        var result = await _app.ResourceCommands.ExecuteCommandAsync(name, KnownResourceCommands.StopCommand);
        Assert.True(result.Success, result.Message);
        await _app.ResourceNotifications.WaitForResourceAsync(name, KnownResourceStates.TerminalStates);
    }

    public async Task StartServiceAsync(string name)
    {
        var result = await _app.ResourceCommands.ExecuteCommandAsync(name, KnownResourceCommands.StartCommand);
        Assert.True(result.Success, result.Message);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync(name).WaitAsync(TimeSpan.FromMinutes(3));
    }

    /// <summary>A real access token of a demo user (the local profile's password grant), to change deals behind the UI's back.</summary>
    public async Task<HttpClient> ApiAsAsync(string user)
    {
        using var response = await Gateway.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = "pipeline-cli", ["username"] = user, ["password"] = DemoPassword, ["scope"] = "pipeline-api",
        }));
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private async Task<int> OpenDealsAsync(string user)
    {
        try
        {
            using var api = await ApiAsAsync(Tokens.AcmeAdmin);
            var pipelines = await api.GetFromJsonAsync<JsonElement>("/api/pipelines");
            var board = await api.GetFromJsonAsync<JsonElement>($"/api/pipelines/{pipelines[0].GetProperty("id").GetString()}/board?cards=0");
            return board.GetProperty("columns").EnumerateArray().Sum(c => c.GetProperty("count").GetInt32());
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    /// <summary>A browser context (its own cookies: one person) signed in as <paramref name="user"/>, in <paramref name="locale"/>.</summary>
    public async Task<IPage> SignInAsync(string user, string locale = "en-US", string path = "/board")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            Locale = locale,
            ViewportSize = new ViewportSize { Width = 1600, Height = 1000 },
        });
        lock (_contexts)
        {
            _contexts.Add(context);
        }

        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(Address, path).ToString());
        await page.GetByLabel("E-mail").FillAsync(user);
        await page.GetByLabel("Password").FillAsync(DemoPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => url.StartsWith(new Uri(Address, path.Split('?')[0]).ToString(), StringComparison.Ordinal), new() { Timeout = 30_000 });
        return page;
    }

    /// <summary>
    /// Closes the browser contexts of the test that ended. A page left open keeps its circuit and its live stream, and an
    /// open board reloads on every change to its pipeline: left open, they loaded every later test of the run (a
    /// thousand board reloads a minute by the end of the web tests).
    /// </summary>
    public async Task CloseBrowsersAsync()
    {
        IBrowserContext[] open;
        lock (_contexts)
        {
            open = [.. _contexts];
            _contexts.Clear();
        }

        foreach (var context in open)
        {
            await context.CloseAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        Gateway.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean up with the temp folder.
        }
    }

    private static class Tokens
    {
        public const string AcmeAdmin = "admin@acme.test";
    }
}
