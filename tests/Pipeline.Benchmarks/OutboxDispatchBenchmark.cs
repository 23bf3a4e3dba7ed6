using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Contracts;
using Pipeline.Messaging;
using Pipeline.Messaging.Outbox;
using Pipeline.Messaging.Tenancy;
using Pipeline.Testing;
using RabbitMQ.Client;

namespace Pipeline.Benchmarks;

public sealed class BenchDbContext(DbContextOptions<BenchDbContext> options, TenantScope tenant) : ServiceDbContext(options, tenant);

/// <summary>
/// How fast the outbox reaches the broker: (1) draining a backlog, events/s from the outbox table to the broker's
/// confirm, against raw RabbitMQ.Client publishes with confirms of the same messages as the baseline; (2) the
/// delay from commit to confirm while writers commit at a steady rate.
/// </summary>
public static class OutboxDispatchBenchmark
{
    private const int Backlog = 50_000;
    private const string Exchange = "Pipeline.Contracts:ActivityCompleted";

    public static async Task RunAsync()
    {
        await using var broker = await TestVirtualHost.CreateAsync();
        await using var database = await TestDatabase.CreateAsync("bench_outbox");
        await DeclareConsumingQueueAsync(broker.Uri);

        var baseline = await RawPublishRateAsync(broker.Uri, Backlog);
        Console.WriteLine($"baseline  raw RabbitMQ.Client, confirms, 1000 in flight: {baseline:N0} msg/s");

        using var host = await StartHostAsync(database.ConnectionString, broker.Uri, dispatcherEnabled: false);
        await FillOutboxAsync(database, Backlog);
        var dispatcher = ActivatorUtilities.CreateInstance<OutboxDispatcher>(host.Services);
        var clock = Stopwatch.StartNew();
        while (await dispatcher.DispatchBatchAsync(CancellationToken.None) > 0)
        {
        }

        var rate = Backlog / clock.Elapsed.TotalSeconds;
        Console.WriteLine($"dispatcher drains a backlog of {Backlog:N0}: {rate:N0} events/s ({rate / baseline:P0} of the baseline)");
        await host.StopAsync();

        var steadyRate = int.TryParse(Environment.GetEnvironmentVariable("BENCH_RATE"), out var r) ? r : 1_000;
        await SteadyWritesAsync(database.ConnectionString, broker.Uri, steadyRate, TimeSpan.FromSeconds(20));
    }

    private static async Task SteadyWritesAsync(string connectionString, Uri broker, int perSecond, TimeSpan duration)
    {
        var delays = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "pipeline.outbox.dispatch_latency")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, seconds, _, _) =>
        {
            lock (delays)
            {
                delays.Add(seconds * 1000);
            }
        });
        listener.Start();

        using var host = await StartHostAsync(connectionString, broker, dispatcherEnabled: true);
        async Task<bool> CommitOneEventAsync()
        {
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
            db.Publish(NewEvent());
            await db.SaveChangesAsync();
            return true;
        }

        // Warm-up (JIT, connection pool) is not measured.
        await OpenLoopLoad.RunAsync(CommitOneEventAsync, perSecond, TimeSpan.FromSeconds(5));
        await Task.Delay(TimeSpan.FromSeconds(2));
        lock (delays)
        {
            delays.Clear();
        }

        var result = await OpenLoopLoad.RunAsync(CommitOneEventAsync, perSecond, duration);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await host.StopAsync();
        lock (delays)
        {
            Console.WriteLine($"steady {perSecond:N0} commits/s, one event each: commit (insert + outbox row) {result.Latencies}");
            Console.WriteLine($"steady {perSecond:N0} commits/s: commit to broker confirm {new Latencies(delays)}");
        }
    }

    private static ActivityCompleted NewEvent() => new()
    {
        OrganizationId = Guid.NewGuid(),
        ActivityId = Guid.NewGuid(),
        OpportunityId = Guid.NewGuid(),
        Type = "call",
        AssigneeId = "bench",
        CompletedAt = DateTimeOffset.UtcNow,
    };

    private static async Task<IHost> StartHostAsync(string connectionString, Uri broker, bool dispatcherEnabled)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:bench"] = connectionString,
            [$"ConnectionStrings:{ResourceNames.Messaging}"] = broker.ToString(),
            ["Outbox:DispatcherEnabled"] = dispatcherEnabled.ToString(),
        });
        builder.Logging.ClearProviders();
        builder.AddServiceDatabase<BenchDbContext>("bench");
        builder.AddMessaging<BenchDbContext>("bench");
        var host = builder.Build();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<BenchDbContext>().Database.EnsureCreatedAsync();
        }

        await host.StartAsync();
        await host.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(60));
        return host;
    }

    private static async Task FillOutboxAsync(TestDatabase database, int count)
    {
        var body = JsonSerializer.Serialize(NewEvent(), MessageSerialization.Options).Replace("'", "''");
        await database.ExecuteAsync($$"""
            INSERT INTO outbox_messages (message_id, message_type, body, created_at)
            SELECT gen_random_uuid(), '{{typeof(ActivityCompleted).FullName}}', '{{body}}', now()
            FROM generate_series(1, {{count}})
            """);
    }

    /// <summary>A durable quorum queue bound to the event's exchange, as a consuming service has (no consumer attached).</summary>
    private static async Task DeclareConsumingQueueAsync(Uri broker)
    {
        await using var connection = await new ConnectionFactory { Uri = broker }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: true);
        await channel.QueueDeclareAsync("bench-activity-completed", durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
        await channel.QueueBindAsync("bench-activity-completed", Exchange, routingKey: "");
    }

    private static async Task<double> RawPublishRateAsync(Uri broker, int count)
    {
        await using var connection = await new ConnectionFactory { Uri = broker }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(
            publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(NewEvent(), MessageSerialization.Options));
        var properties = new BasicProperties { Persistent = true, ContentType = "application/json" };
        var clock = Stopwatch.StartNew();
        for (var sent = 0; sent < count; sent += 1000)
        {
            await Task.WhenAll(Enumerable.Range(0, Math.Min(1000, count - sent))
                .Select(_ => channel.BasicPublishAsync(Exchange, "", mandatory: false, properties, body).AsTask()));
        }

        return count / clock.Elapsed.TotalSeconds;
    }
}
