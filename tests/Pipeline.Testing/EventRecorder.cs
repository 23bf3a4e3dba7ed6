using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Pipeline.Testing;

/// <summary>An event as it travelled on the broker: its contract name and its JSON body.</summary>
public sealed record RecordedEvent(string Type, JsonElement Message, DateTimeOffset ReceivedAt)
{
    public string? Text(string property) => Message.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public long Long(string property) => Message.GetProperty(property).GetInt64();

    public Guid Guid(string property) => Message.GetProperty(property).GetGuid();
}

/// <summary>
/// Listens to every event exchange of the contracts on a test virtual host, as a consuming service would, and
/// keeps what arrives: tests check the events a change published (type, payload, version order).
/// </summary>
public sealed class EventRecorder : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly ConcurrentQueue<RecordedEvent> _events = new();

    private EventRecorder(IConnection connection, IChannel channel)
    {
        _connection = connection;
        _channel = channel;
    }

    public IReadOnlyCollection<RecordedEvent> All => _events;

    public static async Task<EventRecorder> StartAsync(Uri broker, IEnumerable<string> contractNames)
    {
        var connection = await new ConnectionFactory { Uri = broker }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        var queue = (await channel.QueueDeclareAsync(queue: "", durable: false, exclusive: true, autoDelete: true)).QueueName;
        foreach (var name in contractNames)
        {
            // The exchange MassTransit publishes each contract to (it would declare it the same way).
            var exchange = $"Pipeline.Contracts:{name}";
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true);
            await channel.QueueBindAsync(queue, exchange, routingKey: "");
        }

        var recorder = new EventRecorder(connection, channel);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            using var envelope = JsonDocument.Parse(Encoding.UTF8.GetString(delivery.Body.Span));
            var type = envelope.RootElement.GetProperty("messageType")[0].GetString()!.Split(':').Last();
            recorder._events.Enqueue(new RecordedEvent(type, envelope.RootElement.GetProperty("message").Clone(), DateTimeOffset.UtcNow));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);
        return recorder;
    }

    public IReadOnlyList<RecordedEvent> Of(string type, Func<RecordedEvent, bool>? where = null) =>
        _events.Where(e => e.Type == type && (where is null || where(e))).ToList();

    /// <summary>Waits until <paramref name="count"/> events of a type (matching <paramref name="where"/>) have arrived.</summary>
    public Task<IReadOnlyList<RecordedEvent>> WaitForAsync(string type, Func<RecordedEvent, bool>? where = null, int count = 1, TimeSpan? timeout = null) =>
        Eventually.Until(() => Task.FromResult(Of(type, where)), events => events.Count >= count, timeout ?? TimeSpan.FromSeconds(30), $"{count} {type} event(s)");

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
