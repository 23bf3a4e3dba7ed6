using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Messaging;
using Pipeline.Messaging.Diagnostics;
using Pipeline.Messaging.Tenancy;

namespace Pipeline.Messaging.Tests;

/// <summary>A service's database with the messaging tables (outbox, inbox), the probe's, and the test's own deals.</summary>
public sealed class TestDbContext(DbContextOptions<TestDbContext> options, TenantScope tenant) : ServiceDbContext(options, tenant)
{
    public DbSet<RegisteredDeal> RegisteredDeals => Set<RegisteredDeal>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.MapProbeReceipts();
        modelBuilder.Entity<RegisteredDeal>().HasKey(d => d.EventId);
    }
}

/// <summary>What the tests' consumer records: one row per message it handled.</summary>
public sealed class RegisteredDeal
{
    public Guid EventId { get; init; }

    public required string DealName { get; init; }
}

/// <summary>
/// A service host as every Pipeline.Cloud service builds it (its database, MassTransit on RabbitMQ, the outbox
/// dispatcher), without HTTP: enough to write events, dispatch them and consume them against the real servers.
/// </summary>
public sealed class TestService : IAsyncDisposable
{
    private TestService(IHost host) => Host = host;

    public IHost Host { get; }

    public IServiceProvider Services => Host.Services;

    public static async Task<TestService> StartAsync(
        string name,
        string databaseConnectionString,
        Uri broker,
        Action<IBusRegistrationConfigurator>? consumers = null,
        IDictionary<string, string?>? settings = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:testdb"] = databaseConnectionString,
            [$"ConnectionStrings:{ResourceNames.Messaging}"] = broker.ToString(),
            ["Outbox:MaxBackoff"] = "00:00:02",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Logging.ClearProviders();
        builder.AddServiceDatabase<TestDbContext>("testdb");
        builder.AddMessaging<TestDbContext>(name, bus =>
        {
            bus.AddDiagnosticsProbe<TestDbContext>(name);
            consumers?.Invoke(bus);
        });
        var host = builder.Build();

        await using (var scope = host.Services.CreateAsyncScope())
        {
            // The test schema is the messaging tables alone; services get theirs from EF Core migrations.
            await scope.ServiceProvider.GetRequiredService<TestDbContext>().Database.EnsureCreatedAsync();
        }

        await host.StartAsync();
        // Publishing before the consumer queues are bound would route messages nowhere.
        await host.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(60));
        return new TestService(host);
    }

    /// <summary>Writes events in one transaction per call, as a service's API request would.</summary>
    public async Task WriteAsync(params Contracts.IntegrationMessage[] events)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
        foreach (var @event in events)
        {
            db.Publish(@event);
        }

        await db.SaveChangesAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        Host.Dispose();
    }
}
