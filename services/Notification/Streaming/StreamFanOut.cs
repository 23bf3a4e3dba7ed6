using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Pipeline.Notification.Domain;

namespace Pipeline.Notification.Streaming;

/// <summary>
/// Carries every committed stream event to every replica, so that a stream held by one replica gets what another
/// wrote: a fan-out exchange, and per replica a private queue (server-named, exclusive, deleted with the
/// connection) bound to it. Nothing here needs to be durable: a copy lost on the way (a broker restart, a publish
/// after a crash) is found in the database by <see cref="StreamHub"/>'s catch-up, which also puts copies that
/// arrive out of order back in position order.
/// </summary>
public sealed partial class StreamFanOut(IConfiguration configuration, IServiceProvider services, ILogger<StreamFanOut> logger) : BackgroundService
{
    public const string Exchange = "notification-stream";

    private readonly SemaphoreSlim _publishing = new(1, 1);
    private IConnection? _connection;
    private IChannel? _publishChannel;

    private StreamHub Hub => services.GetRequiredService<StreamHub>();

    /// <summary>Sends committed events to every replica; never throws (the catch-up finds what did not go out).</summary>
    public void Publish(Guid organizationId, IReadOnlyList<LiveStreamItem> items) => _ = PublishAsync(organizationId, items);

    private async Task PublishAsync(Guid organizationId, IReadOnlyList<LiveStreamItem> items)
    {
        if (_publishChannel is not { IsOpen: true } channel)
        {
            return;
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(new FanOutMessage(organizationId, items), Json.Options);
        await _publishing.WaitAsync();
        try
        {
            await channel.BasicPublishAsync(Exchange, routingKey: "", body);
        }
        catch (Exception exception)
        {
            LogPublishFailed(logger, exception);
        }
        finally
        {
            _publishing.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var address = configuration.GetConnectionString(ResourceNames.Messaging)
            ?? throw new InvalidOperationException($"The connection string 'ConnectionStrings:{ResourceNames.Messaging}' is not configured.");
        var factory = new ConnectionFactory
        {
            Uri = new Uri(address),
            ClientProvidedName = $"{ResourceNames.Notification}-stream",
            // The library reconnects by itself and declares the queue, its binding and the consumer again.
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
        };
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                _connection = await factory.CreateConnectionAsync(stoppingToken);
                var channel = await _connection.CreateChannelAsync(cancellationToken: stoppingToken);
                await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: stoppingToken);
                var queue = await channel.QueueDeclareAsync(queue: "", durable: false, exclusive: true, autoDelete: true, cancellationToken: stoppingToken);
                await channel.QueueBindAsync(queue.QueueName, Exchange, routingKey: "", cancellationToken: stoppingToken);
                var consumer = new AsyncEventingBasicConsumer(channel);
                consumer.ReceivedAsync += (_, delivery) =>
                {
                    try
                    {
                        var message = JsonSerializer.Deserialize<FanOutMessage>(delivery.Body.Span, Json.Options);
                        if (message is not null)
                        {
                            Hub.Accept(message.OrganizationId, message.Items);
                        }
                    }
                    catch (JsonException exception)
                    {
                        LogUnreadable(logger, exception);
                    }

                    return Task.CompletedTask;
                };
                await channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer, stoppingToken);
                _publishChannel = await _connection.CreateChannelAsync(cancellationToken: stoppingToken);
                LogConnected(logger, queue.QueueName);
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogConnectFailed(logger, exception, attempt);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), stoppingToken);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_connection is not null)
        {
            await _connection.CloseAsync(cancellationToken);
            await _connection.DisposeAsync();
        }
    }

    private sealed record FanOutMessage(Guid OrganizationId, IReadOnlyList<LiveStreamItem> Items);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream fan-out connected; this replica listens on {Queue}")]
    private static partial void LogConnected(ILogger logger, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream fan-out cannot reach the broker (attempt {Attempt}); open streams catch up from the database meanwhile")]
    private static partial void LogConnectFailed(ILogger logger, Exception exception, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream events not sent to the other replicas; they catch up from the database")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An unreadable stream fan-out message was dropped")]
    private static partial void LogUnreadable(ILogger logger, Exception exception);
}
