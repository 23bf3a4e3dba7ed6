using MassTransit;

namespace Pipeline.Messaging;

/// <summary>
/// How every consumer queue behaves when handling fails. A failing message is retried in place a few times
/// (transient faults: a deadlock, a restarting database); after that it moves to the queue's <c>_error</c> queue,
/// where an operator can inspect and replay it, and the messages behind it keep flowing. The queue is a quorum
/// queue with a delivery limit, so a message that crashes the process on every delivery also ends in the
/// error queue instead of looping forever.
/// </summary>
internal static class ConsumerEndpoints
{
    public const int DeliveryLimit = 5;

    public static readonly TimeSpan[] RetryIntervals =
        [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)];

    public static void Configure(IReceiveEndpointConfigurator endpoint)
    {
        endpoint.UseMessageRetry(retry => retry.Intervals(RetryIntervals));
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.SetQuorumQueue();
            rabbit.SetQueueArgument("x-delivery-limit", DeliveryLimit);
            rabbit.PrefetchCount = 32;
        }
    }
}
