using System.Net.Http.Json;
using System.Text;
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
public sealed class NotificationCollection : ICollectionFixture<NotificationFixture>
{
    public const string Name = "notification service";
}

/// <summary>
/// Two replicas of the notification service (its real Program, in-process) on one database and one virtual host of
/// the test broker, sending mail to the test run's SMTP server and webhooks to a receiver in the test; beside them
/// the real identity issuer (tokens, and the directory it publishes) and the real opportunity service (deal events);
/// and a bus to publish commands and events as the other services would.
/// </summary>
public sealed class NotificationFixture : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _resources = [];
    private ServiceProcess.Running _opportunity = null!;
    private IHost _publisher = null!;

    public IssuerProcess Issuer { get; private set; } = null!;

    public TestDatabase Database { get; private set; } = null!;

    public Uri Broker { get; private set; } = null!;

    public WebApplicationFactory<Program> ReplicaA { get; private set; } = null!;

    public WebApplicationFactory<Program> ReplicaB { get; private set; } = null!;

    public Uri OpportunityAddress { get; private set; } = null!;

    public WebhookReceiver Receiver { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var broker = await TestVirtualHost.CreateAsync();
        _resources.Add(broker);
        Broker = broker.Uri;
        Database = await TestDatabase.CreateAsync("notification");
        _resources.Add(Database);
        var opportunityDb = await TestDatabase.CreateAsync("opportunity");
        _resources.Add(opportunityDb);

        // The migration steps first: schemas, and the services' queues, bound before identity publishes its directory.
        await new ServiceProcess("Pipeline.Notification", new Dictionary<string, string>
        {
            ["ConnectionStrings__notificationdb"] = Database.ConnectionString,
            ["ConnectionStrings__messaging"] = Broker.ToString(),
        }).RunToCompletionAsync("migrate");
        var opportunity = new ServiceProcess("Pipeline.Opportunity", new Dictionary<string, string>
        {
            ["ConnectionStrings__opportunitydb"] = opportunityDb.ConnectionString,
            ["ConnectionStrings__messaging"] = Broker.ToString(),
        });
        await opportunity.RunToCompletionAsync("migrate");

        Issuer = await IssuerProcess.StartAsync(Broker);
        _resources.Add(Issuer);
        OpportunityAddress = new Uri($"http://127.0.0.1:{PrivateRabbitMqNode.FreePort()}/");
        _opportunity = new ServiceProcess("Pipeline.Opportunity", new Dictionary<string, string>
        {
            ["ConnectionStrings__opportunitydb"] = opportunityDb.ConnectionString,
            ["ConnectionStrings__messaging"] = Broker.ToString(),
            ["Authentication__Authority"] = Issuer.Address.ToString(),
        }).Start($"--urls={OpportunityAddress}");

        Receiver = await WebhookReceiver.StartAsync();
        _resources.Add(Receiver);
        ReplicaA = Replica();
        ReplicaB = Replica();
        // Both replicas consume from the start (competing consumers on the same queues).
        _ = ReplicaA.Server;
        _ = ReplicaB.Server;

        _publisher = await TestPublisher.StartAsync(Broker);

        // As identity will: each organisation's settings (the digest follows their time zones).
        await PublishAsync(new OrganizationChanged
        {
            OrganizationId = DemoUsers.Acme, Name = "Acme", Currency = "EUR", TimeZone = "Europe/Paris", FiscalYearStartMonth = 1, Version = 1,
        });
        await PublishAsync(new OrganizationChanged
        {
            OrganizationId = DemoUsers.Globex, Name = "Globex", Currency = "USD", TimeZone = "America/New_York", FiscalYearStartMonth = 1, Version = 1,
        });
        await Eventually.Until(async () => await Database.CountAsync("SELECT count(*) FROM directory_users") >= 6
                                           && await Database.CountAsync("SELECT count(*) FROM organization_profiles") == 2,
            TimeSpan.FromSeconds(60), "the service knows the demo users and organisations");
        await Readiness.WaitAsync(OpportunityAddress, "opportunity", TimeSpan.FromSeconds(60));

        // The first request of each path compiles it: warm both replicas, as a running service is, so that the
        // timings the tests check are those users see.
        await using var onA = await ServerSentEvents.OpenAsync(await ClientAsync(DemoUsers.AcmeAdmin));
        await using var onB = await ServerSentEvents.OpenAsync(await ClientAsync(DemoUsers.AcmeAdmin, ReplicaB));
        await PublishAsync(Notifications.To(DemoUsers.Acme, "Warm-up", new NotificationRecipient(null, Role: "admin")));
        await onA.WaitForAsync(e => e.Data.Contains("Warm-up"), timeout: TimeSpan.FromSeconds(30));
        await onB.WaitForAsync(e => e.Data.Contains("Warm-up"), timeout: TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// How the test replicas are configured: receivers run in the test, on loopback; retries and pauses take seconds
    /// rather than hours; the tests run the digest themselves, at the instant they choose.
    /// </summary>
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["ConnectionStrings:notificationdb"] = Database.ConnectionString,
        ["ConnectionStrings:messaging"] = Broker.ToString(),
        ["ConnectionStrings:smtp"] = TestServers.Smtp.ToString(),
        ["Authentication:Authority"] = Issuer.Address.ToString(),
        ["Logging:LogLevel:Default"] = "Warning",
        ["Webhooks:Outbound:AllowLoopback"] = "true",
        ["Webhooks:ImmediateRetries"] = "1",
        ["Webhooks:ImmediateRetryDelay"] = "00:00:00.100",
        ["Webhooks:FirstRetryDelay"] = "00:00:00.300",
        ["Webhooks:MaxRetryDelay"] = "00:00:01",
        ["Webhooks:RetryFor"] = "00:00:08",
        ["Webhooks:PauseAfterFailedDeliveries"] = "2",
        ["Webhooks:Timeout"] = "00:00:02",
        ["Webhooks:PollInterval"] = "00:00:00.200",
        ["Email:FirstRetryDelay"] = "00:00:00.200",
        ["Email:MaxRetryDelay"] = "00:00:01",
        ["Stream:KeepAliveInterval"] = "00:00:02",
        ["Digest:Enabled"] = "false",
    };

    private WebApplicationFactory<Program> Replica() =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseEnvironment("Testing");
            foreach (var (name, value) in Settings)
            {
                host.UseSetting(name, value);
            }
        });

    /// <summary>Publishes a command or event as another service would, through the broker.</summary>
    public async Task PublishAsync(IntegrationMessage message) =>
        await _publisher.Services.GetRequiredService<IBus>().Publish(message, message.GetType());

    public async Task<HttpClient> ClientAsync(string user, WebApplicationFactory<Program>? replica = null) =>
        await Issuer.AuthorizeAsync((replica ?? ReplicaA).CreateClient(), user);

    public async Task<HttpClient> OpportunityClientAsync(string user) =>
        await Issuer.AuthorizeAsync(new HttpClient { BaseAddress = OpportunityAddress }, user);

    /// <summary>The user's id (<c>sub</c>), read from their token.</summary>
    public async Task<string> UserIdAsync(string email)
    {
        var payload = (await Issuer.TokenAsync(email)).Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
        return JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload))).RootElement.GetProperty("sub").GetString()!;
    }

    /// <summary>Waits until <paramref name="user"/>'s inbox holds a notification titled <paramref name="title"/>.</summary>
    public async Task<JsonElement> WaitForInboxItemAsync(string user, string title, TimeSpan? timeout = null)
    {
        using var client = await ClientAsync(user);
        var page = await Eventually.Until(async () => await client.GetFromJsonAsync<JsonElement>("/api/notifications?limit=100"),
            inbox => inbox.GetProperty("items").EnumerateArray().Any(i => i.GetProperty("title").GetString() == title),
            timeout ?? TimeSpan.FromSeconds(20), $"'{title}' in {user}'s inbox");
        return page.GetProperty("items").EnumerateArray().First(i => i.GetProperty("title").GetString() == title);
    }

    public async Task DisposeAsync()
    {
        await _publisher.StopAsync();
        _publisher.Dispose();
        await ReplicaA.DisposeAsync();
        await ReplicaB.DisposeAsync();
        _opportunity.Dispose();
        foreach (var resource in Enumerable.Reverse(_resources))
        {
            await resource.DisposeAsync();
        }
    }
}

public static class Notifications
{
    /// <summary>A command as automation sends it, with a unique title to find it by.</summary>
    public static SendNotification To(Guid organizationId, string title, params NotificationRecipient[] recipients) => new()
    {
        OrganizationId = organizationId, Recipients = recipients, Channel = "inbox", Title = title, Body = "Body of " + title,
        Link = "/opportunities/42", CorrelationId = Guid.NewGuid(), Kind = "rule",
    };

    public static string UniqueTitle(string what) => $"{what} {Guid.NewGuid():N}"[..Math.Min(what.Length + 9, 200)];
}
