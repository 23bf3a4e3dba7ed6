using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Contracts;
using Pipeline.Messaging.Diagnostics;
using Pipeline.Messaging.Outbox;
using Pipeline.Testing;
using Xunit.Abstractions;

namespace Pipeline.Messaging.Tests;

/// <summary>
/// The outbox against a RabbitMQ node of the test's own, which the tests stop and start, and real PostgreSQL.
/// Every event committed reaches the consumer, whose inbox makes each one count exactly once.
/// </summary>
public sealed class OutboxTests(ITestOutputHelper output) : IAsyncLifetime
{
    private PrivateRabbitMqNode _broker = null!;

    public async Task InitializeAsync() => _broker = await PrivateRabbitMqNode.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task Events_written_while_the_broker_is_stopped_are_all_delivered_once_it_is_back()
    {
        await using var senderDb = await TestDatabase.CreateAsync("sender");
        await using var receiverDb = await TestDatabase.CreateAsync("receiver");
        await using var receiver = await TestService.StartAsync("receiver", receiverDb.ConnectionString, _broker.Uri);
        await using var sender = await TestService.StartAsync("sender", senderDb.ConnectionString, _broker.Uri);

        await _broker.StopAppAsync();
        var probes = await WriteProbesAsync(sender, count: 10_000, perTransaction: 500);
        Assert.Equal(10_000, await senderDb.CountAsync("SELECT count(*) FROM outbox_messages"));

        var clock = Stopwatch.StartNew();
        await _broker.StartAppAsync();
        await Eventually.Until(
            () => receiverDb.CountAsync("SELECT count(*) FROM probe_receipts"),
            count => count == probes.Count,
            TimeSpan.FromMinutes(3),
            "every probe written while the broker was down is received");
        output.WriteLine($"10,000 events delivered {clock.Elapsed.TotalSeconds:0.0} s after the broker came back");

        Assert.Equal(0, await senderDb.CountAsync("SELECT count(*) FROM outbox_messages"));
        Assert.Equal(probes.Count, await receiverDb.CountAsync("SELECT count(DISTINCT probe_id) FROM probe_receipts"));
        Assert.Equal(probes.Count, await receiverDb.CountAsync("SELECT count(*) FROM inbox_messages"));
    }

    [Fact]
    public async Task Two_dispatchers_share_the_outbox_without_publishing_a_row_twice()
    {
        await using var senderDb = await TestDatabase.CreateAsync("sender");
        await using var receiverDb = await TestDatabase.CreateAsync("receiver");
        var deliveries = new DeliveryLog();
        await using var receiver = await TestService.StartAsync(
            "receiver", receiverDb.ConnectionString, _broker.Uri,
            bus =>
            {
                bus.AddSingleton(deliveries);
                bus.AddConsumer<DeliveryCounter>().Endpoint(e => e.Name = "receiver-delivery-counter");
            });

        var settings = new Dictionary<string, string?> { ["Outbox:DispatcherEnabled"] = "false", ["Outbox:BatchSize"] = "100" };
        await using var first = await TestService.StartAsync("first", senderDb.ConnectionString, _broker.Uri, settings: settings);
        await using var second = await TestService.StartAsync("second", senderDb.ConnectionString, _broker.Uri, settings: settings);
        var probes = await WriteProbesAsync(first, count: 10_000, perTransaction: 1000);

        // Both dispatchers drain the same table at the same time, as two replicas of a service would.
        var dispatchedByEach = await Task.WhenAll(DrainAsync(first), DrainAsync(second));
        output.WriteLine($"first dispatcher published {dispatchedByEach[0]}, second {dispatchedByEach[1]}");

        Assert.Equal(probes.Count, dispatchedByEach.Sum());
        Assert.All(dispatchedByEach, count => Assert.True(count > 0, "both dispatchers took part"));
        await Eventually.Until(
            () => receiverDb.CountAsync("SELECT count(*) FROM probe_receipts"),
            count => count == probes.Count,
            TimeSpan.FromMinutes(2),
            "every probe is received");
        await Eventually.Until(() => Task.FromResult(deliveries.Deliveries.Count), count => count == probes.Count, TimeSpan.FromMinutes(1), "every probe is counted");
        Assert.All(deliveries.Deliveries.Values, count => Assert.Equal(1, count));
    }

    [Fact]
    public async Task A_dispatcher_killed_mid_batch_loses_nothing()
    {
        const int count = 30_000;
        await using var serviceDb = await TestDatabase.CreateAsync("reporting");
        await using var receiverDb = await TestDatabase.CreateAsync("receiver");
        await using var receiver = await TestService.StartAsync("receiver", receiverDb.ConnectionString, _broker.Uri);

        // The real reporting service, as a process of its own: migrate its database, fill its outbox, run it.
        var reporting = new ServiceProcess("Pipeline.Reporting", new Dictionary<string, string>
        {
            [$"ConnectionStrings__{ResourceNames.ReportingDatabase}"] = serviceDb.ConnectionString,
            [$"ConnectionStrings__{ResourceNames.Messaging}"] = _broker.Uri.ToString(),
        });
        await reporting.RunToCompletionAsync(ServiceHost.MigrateCommand);
        await InsertProbesAsync(serviceDb, count);

        using (var running = reporting.Start())
        {
            await Eventually.Until(
                () => serviceDb.CountAsync("SELECT count(*) FROM outbox_messages"),
                left => left < count - 3_000,
                TimeSpan.FromMinutes(1),
                "the service is dispatching its outbox");
            running.Kill();
        }

        var leftAfterKill = await serviceDb.CountAsync("SELECT count(*) FROM outbox_messages");
        output.WriteLine($"killed with {leftAfterKill} events left in the outbox");
        Assert.InRange(leftAfterKill, 1, count - 1);

        // A new replica picks up what the dead one left, including the rows it had claimed.
        await using var replacement = await TestService.StartAsync("replacement", serviceDb.ConnectionString, _broker.Uri);
        await Eventually.Until(
            () => receiverDb.CountAsync("SELECT count(*) FROM probe_receipts"),
            received => received == count,
            TimeSpan.FromMinutes(3),
            "every probe is received once");
        Assert.Equal(0, await serviceDb.CountAsync("SELECT count(*) FROM outbox_messages"));
        Assert.Equal(count, await receiverDb.CountAsync("SELECT count(*) FROM inbox_messages"));
    }

    [Fact]
    public async Task An_event_that_cannot_be_published_is_set_aside_with_its_reason_and_the_events_behind_it_flow()
    {
        await using var senderDb = await TestDatabase.CreateAsync("sender");
        await using var receiverDb = await TestDatabase.CreateAsync("receiver");
        await using var receiver = await TestService.StartAsync("receiver", receiverDb.ConnectionString, _broker.Uri);
        await using var sender = await TestService.StartAsync("sender", senderDb.ConnectionString, _broker.Uri,
            settings: new Dictionary<string, string?> { ["Outbox:DispatcherEnabled"] = "false" });

        // First in line: an event of a type a newer release wrote, and one whose body cannot be read; then good ones.
        await senderDb.ExecuteAsync($$"""
            INSERT INTO outbox_messages (message_id, message_type, body, created_at) VALUES
              (gen_random_uuid(), 'Pipeline.Contracts.SomethingNew', '{}', now()),
              (gen_random_uuid(), '{{typeof(ProbeSent).FullName}}', 'not json', now())
            """);
        await InsertProbesAsync(senderDb, 20);

        Assert.Equal(20, await DrainAsync(sender));
        await Eventually.Until(() => receiverDb.CountAsync("SELECT count(*) FROM probe_receipts"), count => count == 20,
            TimeSpan.FromSeconds(60), "the events behind the bad ones are received");
        Assert.Equal(0, await senderDb.CountAsync("SELECT count(*) FROM outbox_messages"));
        Assert.Equal(1, await senderDb.CountAsync("SELECT count(*) FROM outbox_set_aside WHERE reason = 'unknown type' AND message_type = 'Pipeline.Contracts.SomethingNew'"));
        Assert.Equal(1, await senderDb.CountAsync("SELECT count(*) FROM outbox_set_aside WHERE reason LIKE 'unreadable: %'"));

        // A release that knows the type puts its events back in line (here: one renamed to a type this build knows).
        await senderDb.ExecuteAsync($"UPDATE outbox_set_aside SET message_type = '{typeof(ProbeSent).FullName}', body = (SELECT json_build_object('eventId', gen_random_uuid(), 'occurredAt', now(), 'organizationId', '{Guid.Empty}', 'probeId', gen_random_uuid(), 'sentBy', 'late')::text) WHERE reason = 'unknown type'");
        var dispatcher = ActivatorUtilities.CreateInstance<OutboxDispatcher>(sender.Services);
        Assert.Equal(1, await dispatcher.RequeueKnownTypesAsync(CancellationToken.None));
        Assert.Equal(1, await DrainAsync(sender));
        Assert.Equal(1, await senderDb.CountAsync("SELECT count(*) FROM outbox_set_aside"));
    }

    private static async Task<List<ProbeSent>> WriteProbesAsync(TestService service, int count, int perTransaction)
    {
        var probes = Enumerable.Range(0, count)
            .Select(i => new ProbeSent { ProbeId = Guid.NewGuid(), SentBy = $"probe-{i}", OrganizationId = Guid.Empty })
            .ToList();
        foreach (var chunk in probes.Chunk(perTransaction))
        {
            await service.WriteAsync(chunk);
        }

        return probes;
    }

    private static async Task InsertProbesAsync(TestDatabase database, int count)
    {
        // As the service's own writes would, one row per event; SQL makes 30,000 of them in a blink.
        await database.ExecuteAsync($$"""
            WITH ids AS (SELECT gen_random_uuid() AS id, n FROM generate_series(1, {{count}}) AS n)
            INSERT INTO outbox_messages (message_id, message_type, body, created_at)
            SELECT id, '{{typeof(ProbeSent).FullName}}',
                   json_build_object('eventId', id, 'occurredAt', now(), 'organizationId', '{{Guid.Empty}}',
                                     'probeId', id, 'sentBy', 'probe-' || n)::text,
                   now()
            FROM ids
            """);
    }

    private static async Task<int> DrainAsync(TestService service)
    {
        var dispatcher = ActivatorUtilities.CreateInstance<OutboxDispatcher>(service.Services);
        var total = 0;
        int dispatched;
        do
        {
            dispatched = await dispatcher.DispatchBatchAsync(CancellationToken.None);
            total += dispatched;
        }
        while (dispatched > 0);
        return total;
    }
}

/// <summary>Where <see cref="DeliveryCounter"/> writes: every delivery of every probe, duplicates included.</summary>
public sealed class DeliveryLog
{
    public ConcurrentDictionary<Guid, int> Deliveries { get; } = new();
}

/// <summary>Counts broker deliveries without deduplicating, to see what the dispatchers actually published.</summary>
public sealed class DeliveryCounter(DeliveryLog log) : IConsumer<ProbeSent>
{
    public Task Consume(ConsumeContext<ProbeSent> context)
    {
        log.Deliveries.AddOrUpdate(context.Message.ProbeId, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }
}
