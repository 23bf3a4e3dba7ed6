using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Automation.Infrastructure;
using Pipeline.Contracts;
using Pipeline.Messaging.Tenancy;
using Pipeline.Testing;

namespace Pipeline.Automation.Tests;

[CollectionDefinition(Name)]
public sealed class AutomationCollection : ICollectionFixture<AutomationServiceFixture>
{
    public const string Name = "automation service";
}

/// <summary>
/// The automation service in-process (its real Program) on a fresh database and virtual host, beside the real
/// identity issuer (tokens, users) and the real opportunity service (deals, quotes, the event history, and the
/// consumer of the follow-up command), both run as processes; a bus to publish events with the dates a test
/// chooses; a recorder of every message on the broker; and a clock the tests can move forward.
/// </summary>
public sealed class AutomationServiceFixture : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _resources = [];
    private WebApplicationFactory<Program> _automation = null!;
    private ServiceProcess.Running _opportunity = null!;
    private IHost _publisher = null!;

    public ShiftableClock Clock { get; } = new();

    public IssuerProcess Issuer { get; private set; } = null!;

    public EventRecorder Events { get; private set; } = null!;

    public Uri Broker { get; private set; } = null!;

    public Uri OpportunityAddress { get; private set; } = null!;

    public IServiceProvider Services => _automation.Services;

    public async Task InitializeAsync()
    {
        var broker = await TestVirtualHost.CreateAsync();
        _resources.Add(broker);
        Broker = broker.Uri;
        var automationDb = await TestDatabase.CreateAsync("automation");
        _resources.Add(automationDb);
        var opportunityDb = await TestDatabase.CreateAsync("opportunity");
        _resources.Add(opportunityDb);
        Events = await EventRecorder.StartAsync(broker.Uri, typeof(IntegrationMessage).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(IntegrationMessage)) && !t.IsAbstract).Select(t => t.Name));

        // The real migration steps first: schemas, and the services' queues on the broker.
        await new ServiceProcess("Pipeline.Automation", new Dictionary<string, string>
        {
            ["ConnectionStrings__automationdb"] = automationDb.ConnectionString,
            ["ConnectionStrings__messaging"] = broker.Uri.ToString(),
        }).RunToCompletionAsync("migrate");
        await new ServiceProcess("Pipeline.Opportunity", new Dictionary<string, string>
        {
            ["ConnectionStrings__opportunitydb"] = opportunityDb.ConnectionString,
            ["ConnectionStrings__messaging"] = broker.Uri.ToString(),
        }).RunToCompletionAsync("migrate");

        Issuer = await IssuerProcess.StartAsync(broker.Uri);
        _resources.Add(Issuer);
        OpportunityAddress = new Uri($"http://127.0.0.1:{PrivateRabbitMqNode.FreePort()}/");
        _opportunity = new ServiceProcess("Pipeline.Opportunity", new Dictionary<string, string>
        {
            ["ConnectionStrings__opportunitydb"] = opportunityDb.ConnectionString,
            ["ConnectionStrings__messaging"] = broker.Uri.ToString(),
            ["Authentication__Authority"] = Issuer.Address.ToString(),
        }).Start($"--urls={OpportunityAddress}");

        _automation = new WebApplicationFactory<Program>().WithWebHostBuilder(host => host
            .UseEnvironment("Testing")
            .UseSetting("ConnectionStrings:automationdb", automationDb.ConnectionString)
            .UseSetting("ConnectionStrings:messaging", broker.Uri.ToString())
            .UseSetting("Authentication:Authority", Issuer.Address.ToString())
            .UseSetting("services:opportunity:http:0", OpportunityAddress.ToString())
            // The tests run the time-based triggers' passes themselves, to count them.
            .UseSetting("Automation:TimeTriggersEnabled", "false")
            .UseSetting("Logging:LogLevel:Default", "Warning")
            .ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock)));
        _ = _automation.Server;

        _publisher = await TestPublisher.StartAsync(broker.Uri);

        await Readiness.WaitAsync(OpportunityAddress, "opportunity", TimeSpan.FromSeconds(60));

        // Identity announced each organisation's settings at its release (the seeded rules follow); each
        // organisation's default pipeline comes into being on first use, and is published.
        foreach (var user in new[] { DemoUsers.AcmeAdmin, DemoUsers.Eve })
        {
            using var deals = await OpportunityClientAsync(user);
            (await deals.GetAsync("/api/pipelines")).EnsureSuccessStatusCode();
        }

        await Eventually.Until(
            () => InDatabaseAsync(null, db => db.Rules.IgnoreQueryFilters().CountAsync(r => r.SeedKey != null)),
            seeded => seeded == 4, TimeSpan.FromSeconds(60), "both organisations have their two seeded rules");
        await Eventually.Until(
            () => InDatabaseAsync(null, db => db.Users.IgnoreQueryFilters().CountAsync()),
            users => users >= 6, TimeSpan.FromSeconds(60), "the automation service knows the demo users");
    }

    /// <summary>A client of the automation service signed in as a demo user.</summary>
    public async Task<HttpClient> ClientAsync(string user) => await Issuer.AuthorizeAsync(_automation.CreateClient(), user);

    /// <summary>A client of the opportunity service signed in as a demo user: deals and quotes whose events automation receives.</summary>
    public async Task<HttpClient> OpportunityClientAsync(string user) =>
        await Issuer.AuthorizeAsync(new HttpClient { BaseAddress = OpportunityAddress }, user);

    /// <summary>Publishes events as another service would, through the broker, with the dates the test set.</summary>
    public async Task PublishAsync(params IntegrationMessage[] messages)
    {
        var bus = _publisher.Services.GetRequiredService<IBus>();
        foreach (var message in messages)
        {
            await bus.Publish(message, message.GetType());
        }
    }

    /// <summary>Reads the service's database, scoped to an organisation (or unscoped, for IgnoreQueryFilters).</summary>
    public async Task<T> InDatabaseAsync<T>(Guid? organizationId, Func<AutomationDbContext, Task<T>> read)
    {
        await using var scope = Services.CreateAsyncScope();
        if (organizationId is { } organization)
        {
            scope.ServiceProvider.GetRequiredService<TenantScope>().Use(organization);
        }

        return await read(scope.ServiceProvider.GetRequiredService<AutomationDbContext>());
    }

    /// <summary>Until the service has applied the event (its view holds it): to assert that something did NOT happen.</summary>
    public Task WaitUntilHandledAsync(IntegrationMessage message) => Eventually.Until(
        () => InDatabaseAsync(null, db => db.InboxMessages.CountAsync(m => m.MessageId == message.EventId)),
        handled => handled > 0, TimeSpan.FromSeconds(30), $"{message.GetType().Name} {message.EventId} handled");

    /// <summary>The runs of a rule, as its admin reads them, once <paramref name="ready"/> holds.</summary>
    public async Task<JsonElement[]> RunsAsync(Guid ruleId, Func<JsonElement[], bool> ready, string user = DemoUsers.AcmeAdmin, TimeSpan? timeout = null)
    {
        using var client = await ClientAsync(user);
        return await Eventually.Until(
            async () => (await (await client.GetAsync($"/api/automation/runs?ruleId={ruleId}&limit=200")).ReadAsync()).Items(),
            ready, timeout ?? TimeSpan.FromSeconds(30), $"runs of rule {ruleId}");
    }

    /// <summary>Creates a rule as Acme's admin (or <paramref name="admin"/>) and returns it.</summary>
    public async Task<JsonElement> CreateRuleAsync(object rule, string admin = DemoUsers.AcmeAdmin)
    {
        using var client = await ClientAsync(admin);
        return await (await client.PostAsJsonAsync("/api/automation/rules", rule)).ReadAsync();
    }

    public async Task DisposeAsync()
    {
        await _publisher.StopAsync();
        _publisher.Dispose();
        await _automation.DisposeAsync();
        _opportunity.Dispose();
        await Events.DisposeAsync();
        foreach (var resource in Enumerable.Reverse(_resources))
        {
            await resource.DisposeAsync();
        }
    }
}
