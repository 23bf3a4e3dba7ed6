using Pipeline.Messaging.Tenancy;

namespace Pipeline.Notification.Domain;

public static class SubscriptionStatus
{
    public const string Active = "active";
    public const string Paused = "paused";
}

/// <summary>An admin's request to receive some events of the organisation at a URL, signed with a secret.</summary>
public sealed class WebhookSubscription : ITenantOwned
{
    public Guid Id { get; init; }

    public Guid OrganizationId { get; init; }

    public required string Url { get; set; }

    public List<string> Events { get; set; } = [];

    public string? Description { get; set; }

    public string Status { get; set; } = SubscriptionStatus.Active;

    /// <summary>Signs every delivery. Shown once, at creation or rotation.</summary>
    public required string Secret { get; set; }

    /// <summary>After a rotation, the former secret still signs deliveries (beside the new one) until <see cref="PreviousSecretExpiresAt"/>.</summary>
    public string? PreviousSecret { get; set; }

    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }

    /// <summary>Deliveries that ended failed in a row; a success resets it. Past the configured limit, the subscription is paused.</summary>
    public int ConsecutiveFailures { get; set; }

    public DateTimeOffset? PausedAt { get; set; }

    public required string CreatedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The secrets a delivery is signed with now: the current one, and the previous one during the overlap.</summary>
    public IReadOnlyList<string> SigningSecrets(DateTimeOffset now) =>
        PreviousSecret is not null && PreviousSecretExpiresAt > now ? [Secret, PreviousSecret] : [Secret];
}

public static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}

/// <summary>
/// One event to deliver to one subscription. <see cref="Id"/> is the receiver's idempotency key
/// (<c>X-Pipeline-Delivery</c>): the same on every attempt and redelivery. <see cref="Body"/> is the exact JSON sent.
/// </summary>
public sealed class WebhookDelivery : ITenantOwned
{
    public Guid Id { get; init; }

    public Guid OrganizationId { get; init; }

    public Guid SubscriptionId { get; init; }

    public required string Event { get; init; }

    /// <summary>The event or command it delivers: one delivery per event and subscription, however often the event arrives.</summary>
    public Guid SourceEventId { get; init; }

    public required string Body { get; init; }

    public string Status { get; set; } = DeliveryStatus.Pending;

    public int Attempts { get; set; }

    public int? LastStatusCode { get; set; }

    public string? LastError { get; set; }

    /// <summary>When the next attempt is due; while an attempt runs, the end of its lease.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    /// <summary>Failed attempts are retried until then; a redelivery starts a new period.</summary>
    public DateTimeOffset RetryUntil { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>The trace of the event that caused it, so the delivery shows in that trace.</summary>
    public string? TraceParent { get; init; }
}
