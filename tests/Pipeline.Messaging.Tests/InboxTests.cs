using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Contracts;
using Pipeline.Messaging.Diagnostics;
using Pipeline.Messaging.Inbox;
using Pipeline.Testing;

namespace Pipeline.Messaging.Tests;

/// <summary>The inbox and the error queue, against the test run's RabbitMQ (a virtual host of this class's own).</summary>
public sealed class InboxTests : IAsyncLifetime
{
    private TestVirtualHost _broker = null!;
    private TestDatabase _database = null!;
    private TestService _service = null!;
    private readonly HandlingLog _log = new();

    public async Task InitializeAsync()
    {
        _broker = await TestVirtualHost.CreateAsync();
        _database = await TestDatabase.CreateAsync("inbox");
        _service = await TestService.StartAsync("inbox", _database.ConnectionString, _broker.Uri, bus =>
        {
            bus.AddSingleton(_log);
            bus.AddConsumer<DealRegistrationConsumer>().Endpoint(e => e.Name = "inbox-deal-registration");
        });
        _service.Services.GetRequiredService<IBus>().ConnectConsumeObserver(_log);
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await _database.DisposeAsync();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task A_message_delivered_twice_has_one_effect()
    {
        var probe = new ProbeSent { ProbeId = Guid.NewGuid(), SentBy = "twice", OrganizationId = Guid.Empty };
        var bus = _service.Services.GetRequiredService<IBus>();

        // Two copies at the same time (competing replicas) and a third later (a redelivery after a lost ack).
        await Task.WhenAll(bus.Publish(probe), bus.Publish(probe));
        await Eventually.Until(() => Task.FromResult(_log.ConsumedCount(probe.EventId)), n => n == 2, TimeSpan.FromSeconds(30), "both copies consumed");
        await bus.Publish(probe);
        await Eventually.Until(() => Task.FromResult(_log.ConsumedCount(probe.EventId)), n => n == 3, TimeSpan.FromSeconds(30), "the third copy consumed");

        Assert.Equal(1, await _database.CountAsync($"SELECT count(*) FROM probe_receipts WHERE probe_id = '{probe.ProbeId}'"));
        Assert.Equal(1, await _database.CountAsync($"SELECT count(*) FROM inbox_messages WHERE message_id = '{probe.EventId}'"));
    }

    [Fact]
    public async Task A_poison_message_ends_in_the_error_queue_without_blocking_the_messages_behind_it()
    {
        var bus = _service.Services.GetRequiredService<IBus>();
        var poison = new DealRegistered { DealName = "poison", OrganizationId = Guid.Empty };
        var healthy = Enumerable.Range(0, 50).Select(i => new DealRegistered { DealName = $"deal {i}", OrganizationId = Guid.Empty }).ToList();

        await bus.Publish(poison);
        foreach (var deal in healthy)
        {
            await bus.Publish(deal);
        }

        using var errorQueue = await ErrorQueueInspector.ConnectAsync(_broker.Uri, "inbox-deal-registration_error");
        await Eventually.Until(
            () => _database.CountAsync("SELECT count(*) FROM registered_deals WHERE deal_name LIKE 'deal %'"),
            count => count == healthy.Count,
            TimeSpan.FromSeconds(60),
            "every healthy message behind the poison is handled");
        // The poison message is still being retried: the healthy ones did not wait for it.
        Assert.Null(await errorQueue.PeekAsync());

        // After its retries it waits in the error queue, with the reason, where an operator can inspect and replay it.
        var parked = await Eventually.Until(
            () => errorQueue.PeekAsync(),
            message => message is not null,
            TimeSpan.FromSeconds(60),
            "the poison message is in the error queue");
        Assert.Contains("poison", parked!.Body);
        Assert.Equal("The deal cannot be registered", parked.FaultMessage);
        Assert.Equal(0, await _database.CountAsync("SELECT count(*) FROM registered_deals WHERE deal_name = 'poison'"));
    }
}

/// <summary>A test message: registering a deal called "poison" always fails.</summary>
public sealed record DealRegistered : IntegrationMessage
{
    public required string DealName { get; init; }
}

public sealed class DealRegistrationConsumer(TestDbContext db, ILogger<DealRegistrationConsumer> logger)
    : IdempotentConsumer<DealRegistered, TestDbContext>(db, logger)
{
    protected override Task HandleAsync(DealRegistered message, ConsumeContext<DealRegistered> context)
    {
        if (message.DealName == "poison")
        {
            throw new InvalidOperationException("The deal cannot be registered");
        }

        Db.RegisteredDeals.Add(new RegisteredDeal { EventId = message.EventId, DealName = message.DealName });
        return Task.CompletedTask;
    }
}

/// <summary>Counts the successful consumes of each message by the test service, duplicates included.</summary>
public sealed class HandlingLog : IConsumeObserver
{
    private readonly ConcurrentDictionary<Guid, int> _consumed = new();

    public int ConsumedCount(Guid eventId) => _consumed.GetValueOrDefault(eventId);

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        if (context.Message is IntegrationMessage message)
        {
            _consumed.AddOrUpdate(message.EventId, 1, (_, n) => n + 1);
        }

        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
}
