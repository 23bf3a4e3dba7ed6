using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Notification.Domain;
using Pipeline.Notification.Webhooks;

namespace Pipeline.Notification.Consumers;

/// <summary>
/// An automation rule's webhook action: one delivery of its data to one of the organisation's subscriptions, signed,
/// retried and logged like every other. One per correlation id; a subscription that is gone or paused gets none.
/// </summary>
public sealed partial class DeliverWebhookConsumer(UnitOfWork work, WebhookDeliveries deliveries, ILogger<DeliverWebhookConsumer> logger)
    : IConsumer<DeliverWebhook>
{
    public Task Consume(ConsumeContext<DeliverWebhook> context) =>
        work.HandleOnceAsync(nameof(DeliverWebhookConsumer), context.Message, logger, async () =>
        {
            var message = context.Message;
            // Locked (not against deliveries being added to it) so that the same command sent twice and handled at once by two
            // replicas is recorded by the first and found by the second.
            var subscription = await work.Db.Subscriptions
                .FromSql($"SELECT * FROM webhook_subscriptions WHERE id = {message.SubscriptionId} FOR NO KEY UPDATE")
                .AsNoTracking().SingleOrDefaultAsync(context.CancellationToken);
            if (subscription is not { Status: SubscriptionStatus.Active })
            {
                LogNoSubscription(logger, message.SubscriptionId, message.CorrelationId, subscription is null ? "does not exist" : "is paused");
                return;
            }

            if (await work.Db.Deliveries.AnyAsync(d => d.SubscriptionId == message.SubscriptionId && d.SourceEventId == message.CorrelationId, context.CancellationToken))
            {
                return;
            }

            deliveries.Add(message.SubscriptionId, message.Event, message.CorrelationId, message.OccurredAt, Data(message));
        }, context.CancellationToken);

    /// <summary>The command's data as JSON; text that is not JSON is delivered as a string rather than lost.</summary>
    private static JsonNode? Data(DeliverWebhook message)
    {
        try
        {
            return JsonNode.Parse(message.Data);
        }
        catch (JsonException)
        {
            return JsonValue.Create(message.Data);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook subscription {SubscriptionId} {Reason}: command {CorrelationId} delivers nothing")]
    private static partial void LogNoSubscription(ILogger logger, Guid subscriptionId, Guid correlationId, string reason);
}
