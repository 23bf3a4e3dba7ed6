using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Notification.Domain;
using Pipeline.Notification.Infrastructure;

namespace Pipeline.Notification.Webhooks;

/// <summary>Records the deliveries an event or command calls for, in the consumer's transaction; the dispatcher sends them.</summary>
public sealed class WebhookDeliveries(NotificationDbContext db, IOptions<WebhookOptions> options, TimeProvider clock)
{
    /// <summary>One delivery per active subscription that asked for this event type. Paused subscriptions miss it.</summary>
    public async Task<int> AddForEventAsync(IntegrationMessage message, CancellationToken cancellationToken)
    {
        var name = message.GetType().Name;
        var subscriptions = await db.Subscriptions.AsNoTracking()
            .Where(s => s.Status == SubscriptionStatus.Active && s.Events.Contains(name))
            .Select(s => s.Id).ToListAsync(cancellationToken);
        if (subscriptions.Count == 0)
        {
            return 0;
        }

        var data = WebhookEvents.Data(message);
        foreach (var subscription in subscriptions)
        {
            Add(subscription, name, message.EventId, message.OccurredAt, data?.DeepClone());
        }

        return subscriptions.Count;
    }

    public WebhookDelivery Add(Guid subscriptionId, string eventName, Guid sourceEventId, DateTimeOffset occurredAt, JsonNode? data)
    {
        var now = clock.GetUtcNow();
        var id = Guid.NewGuid();
        var delivery = new WebhookDelivery
        {
            Id = id, SubscriptionId = subscriptionId, Event = eventName, SourceEventId = sourceEventId,
            Body = WebhookEvents.Body(id, eventName, occurredAt, db.Tenant.OrganizationId!.Value, data),
            CreatedAt = now, NextAttemptAt = now, RetryUntil = now + options.Value.RetryFor, TraceParent = Activity.Current?.Id,
        };
        db.Deliveries.Add(delivery);
        return delivery;
    }
}
