using MassTransit;

namespace Pipeline.Messaging;

/// <summary>
/// How every consumer queue behaves when handling fails. A failing message is retried in place a few times
/// (transient faults: a deadlock, a restarting database); after that MassTransit moves it, with the exception
/// in its <c>MT-Fault-*</c> headers, to the queue's <c>_error</c> queue, where an operator can inspect and replay
/// it, and the messages behind it keep flowing. Queues are quorum queues with a delivery limit: a message that
/// crashes the process on every delivery is dead-lettered by the broker into the same error queue instead of
/// looping forever.
/// </summary>
internal static class ConsumerEndpoints
{
    public const int DeliveryLimit = 5;

    public static readonly TimeSpan[] RetryIntervals =
        [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)];

    public static void Configure(string queueName, IRabbitMqReceiveEndpointConfigurator endpoint)
    {
        endpoint.UseMessageRetry(retry => retry.Intervals(RetryIntervals));
        // At least 32 messages in hand; more where a consumer asks for it (a batching consumer sees more at once).
        endpoint.PrefetchCount = Math.Max(endpoint.PrefetchCount, 32);
        endpoint.SetQuorumQueue();
        endpoint.SetQueueArgument("x-delivery-limit", DeliveryLimit);
        // Declares <queue>_error at start (the broker silently drops dead letters to a missing exchange).
        endpoint.BindDeadLetterQueue($"{queueName}_error", $"{queueName}_error", queue => queue.SetQuorumQueue());
    }

    /// <summary>
    /// MassTransit declares <c>_error</c> and <c>_skipped</c> with the input queue's arguments; the delivery limit
    /// and dead-letter exchange must not be among them, or the declaration conflicts with the one above and the
    /// faulted message loses its fault headers.
    /// </summary>
    public static void ConfigureErrorQueues(IRabbitMqBusFactoryConfigurator bus)
    {
        bus.SendTopology.ConfigureErrorSettings = settings =>
        {
            settings.SetQueueArgument("x-delivery-limit", null);
            settings.SetQueueArgument("x-dead-letter-exchange", null);
        };
        bus.SendTopology.ConfigureDeadLetterSettings = settings =>
        {
            settings.SetQueueArgument("x-delivery-limit", null);
            settings.SetQueueArgument("x-dead-letter-exchange", null);
        };
    }
}
