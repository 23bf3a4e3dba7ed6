using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Contracts;
using Pipeline.Testing;

namespace Pipeline.Notification.Tests;

[CollectionDefinition(Name)]
public sealed class GuardedServiceCollection : ICollectionFixture<GuardedServiceFixture>
{
    public const string Name = "notification service as in production";
}

/// <summary>
/// One replica configured as in production: webhooks may not reach loopback; its issuer gives tokens that expire
/// within seconds; and its SMTP server is not running until a test starts it.
/// </summary>
public sealed class GuardedServiceFixture : IAsyncLifetime
{
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromSeconds(6);

    private readonly List<IAsyncDisposable> _resources = [];
    private ServiceProcess.Running _issuer = null!;
    private IHost _publisher = null!;
    private HttpClient _issuerClient = null!;

    public WebApplicationFactory<Program> Service { get; private set; } = null!;

    public TestDatabase Database { get; private set; } = null!;

    /// <summary>Where the service sends mail; nothing listens there until <see cref="StartMailServer"/>.</summary>
    public int SmtpPort { get; } = PrivateRabbitMqNode.FreePort();

    public string Maildir { get; } = Path.Combine(Path.GetTempPath(), $"notification-mail-{Guid.NewGuid():N}");

    public async Task InitializeAsync()
    {
        var broker = await TestVirtualHost.CreateAsync();
        _resources.Add(broker);
        Database = await TestDatabase.CreateAsync("notification");
        _resources.Add(Database);
        var identityDb = await TestDatabase.CreateAsync("identity");
        _resources.Add(identityDb);
        await new ServiceProcess("Pipeline.Notification", new Dictionary<string, string>
        {
            ["ConnectionStrings__notificationdb"] = Database.ConnectionString,
            ["ConnectionStrings__messaging"] = broker.Uri.ToString(),
        }).RunToCompletionAsync("migrate");

        var issuerAddress = new Uri($"http://127.0.0.1:{PrivateRabbitMqNode.FreePort()}/");
        var identity = new ServiceProcess("Pipeline.Identity", new Dictionary<string, string>
        {
            ["ConnectionStrings__identitydb"] = identityDb.ConnectionString,
            ["ConnectionStrings__messaging"] = broker.Uri.ToString(),
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Identity__Issuer"] = issuerAddress.ToString(),
            ["Authentication__Authority"] = issuerAddress.ToString(),
            ["Identity__AccessTokenLifetime"] = TokenLifetime.ToString(),
        });
        await identity.RunToCompletionAsync("migrate");
        _issuer = identity.Start($"--urls={issuerAddress}");
        _issuerClient = new HttpClient { BaseAddress = issuerAddress };
        await Eventually.Until(async () =>
        {
            try
            {
                return (await _issuerClient.GetAsync("/health")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "the identity service is healthy");

        Service = new WebApplicationFactory<Program>().WithWebHostBuilder(host => host
            .UseEnvironment("Production")
            .UseSetting("ConnectionStrings:notificationdb", Database.ConnectionString)
            .UseSetting("ConnectionStrings:messaging", broker.Uri.ToString())
            .UseSetting("ConnectionStrings:smtp", $"smtp://127.0.0.1:{SmtpPort}")
            .UseSetting("Authentication:Authority", issuerAddress.ToString())
            .UseSetting("Logging:LogLevel:Default", "Warning")
            .UseSetting("Webhooks:ImmediateRetries", "0")
            .UseSetting("Email:FirstRetryDelay", "00:00:00.200")
            .UseSetting("Email:MaxRetryDelay", "00:00:01")
            .UseSetting("Digest:Enabled", "false"));
        _ = Service.Server;

        _publisher = await TestPublisher.StartAsync(broker.Uri);
    }

    public async Task PublishAsync(IntegrationMessage message) =>
        await _publisher.Services.GetRequiredService<IBus>().Publish(message, message.GetType());

    /// <summary>A client with a fresh token (they live only <see cref="TokenLifetime"/>).</summary>
    public async Task<HttpClient> ClientAsync(string user)
    {
        var response = await _issuerClient.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = "pipeline-cli", ["username"] = user, ["password"] = IssuerProcess.DemoPassword, ["scope"] = "pipeline-api",
        }));
        response.EnsureSuccessStatusCode();
        var client = Service.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Bearer", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString());
        return client;
    }

    /// <summary>Starts the SMTP server the service was told about (the same script as the run and the tests use).</summary>
    public Process StartMailServer()
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(TestServers.RepositoryRoot, "eng", "infra", "smtp.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["SMTP_MAILDIR"] = Maildir;
        start.Environment["SMTP_PORT"] = SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Process.Start(start) ?? throw new InvalidOperationException("The SMTP server did not start.");
    }

    public async Task DisposeAsync()
    {
        await _publisher.StopAsync();
        _publisher.Dispose();
        await Service.DisposeAsync();
        _issuerClient.Dispose();
        _issuer.Dispose();
        foreach (var resource in Enumerable.Reverse(_resources))
        {
            await resource.DisposeAsync();
        }

        if (Directory.Exists(Maildir))
        {
            Directory.Delete(Maildir, recursive: true);
        }
    }
}
