using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Contracts;
using Pipeline.Opportunity.Infrastructure;
using Pipeline.Testing;

namespace Pipeline.Opportunity.Tests;

[CollectionDefinition(Name)]
public sealed class OpportunityCollection : ICollectionFixture<OpportunityServiceFixture>
{
    public const string Name = "opportunity service";
}

/// <summary>
/// The opportunity service in-process (its real Program), on a fresh database and a virtual host of the test
/// broker, validating real tokens of the identity service running beside it; and a recorder of every event.
/// </summary>
public sealed class OpportunityServiceFixture : IAsyncLifetime
{
    private TestVirtualHost _broker = null!;
    private TestDatabase _database = null!;
    private WebApplicationFactory<Program> _factory = null!;

    public IssuerProcess Issuer { get; private set; } = null!;

    public EventRecorder Events { get; private set; } = null!;

    /// <summary>The service's clock: real time unless a test sets it (and resets it when done).</summary>
    public ShiftableClock Clock { get; } = new();

    public IServiceProvider Services => _factory.Services;

    public string DatabaseConnectionString => _database.ConnectionString;

    public async Task InitializeAsync()
    {
        _broker = await TestVirtualHost.CreateAsync();
        _database = await TestDatabase.CreateAsync("opportunity");
        Events = await EventRecorder.StartAsync(_broker.Uri, typeof(IntegrationMessage).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(IntegrationMessage)) && !t.IsAbstract).Select(t => t.Name));

        // The real migration step first: schema, and the service's queues on the broker.
        await new ServiceProcess("Pipeline.Opportunity", new Dictionary<string, string>
        {
            ["ConnectionStrings__opportunitydb"] = _database.ConnectionString,
            ["ConnectionStrings__messaging"] = _broker.Uri.ToString(),
        }).RunToCompletionAsync("migrate");

        Issuer = await IssuerProcess.StartAsync(_broker.Uri);
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            // Settings, not late configuration: the service reads its connection strings while it registers.
            host.UseEnvironment("Testing")
                .UseSetting("ConnectionStrings:opportunitydb", _database.ConnectionString)
                .UseSetting("ConnectionStrings:messaging", _broker.Uri.ToString())
                .UseSetting("Authentication:Authority", Issuer.Address.ToString())
                .UseSetting("Logging:LogLevel:Default", "Warning")
                .ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
        });
        _ = _factory.Server;

        // The directory of users arrives from identity as UserChanged events.
        await Eventually.Until(async () =>
        {
            await using var scope = Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OpportunityDbContext>();
            return await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(
                Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.IgnoreQueryFilters(db.Directory)) >= 6;
        }, TimeSpan.FromSeconds(60), "the opportunity service knows the demo users");
    }

    /// <summary>A client of the service signed in as a demo user.</summary>
    public async Task<HttpClient> ClientAsync(string user)
    {
        var client = _factory.CreateClient();
        return await Issuer.AuthorizeAsync(client, user);
    }

    public HttpClient AnonymousClient() => _factory.CreateClient();

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await Issuer.DisposeAsync();
        await Events.DisposeAsync();
        await _database.DisposeAsync();
        await _broker.DisposeAsync();
    }
}

/// <summary>Shorthands the tests share.</summary>
public static class Api
{
    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return (await response.Content.ReadFromJsonAsync<T>())!;
    }
}
