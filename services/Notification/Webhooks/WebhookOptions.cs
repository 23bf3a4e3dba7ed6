namespace Pipeline.Notification.Webhooks;

/// <summary>How webhooks are delivered (section <c>Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    /// <summary>A 2xx answer within this is success (SPEC §5: 10 s); the whole attempt, body included, is bounded by it.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries within the same attempt, for a blip (Polly: exponential backoff with jitter from <see cref="ImmediateRetryDelay"/>).</summary>
    public int ImmediateRetries { get; set; } = 2;

    public TimeSpan ImmediateRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>After that, the delivery is rescheduled (backoff with jitter, from <see cref="FirstRetryDelay"/> to <see cref="MaxRetryDelay"/>) until this long after it started, then failed.</summary>
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromHours(24);

    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A subscription whose deliveries failed this many times in a row is paused, and its organisation's admins told.</summary>
    public int PauseAfterFailedDeliveries { get; set; } = 5;

    /// <summary>After a rotation, deliveries are signed with the former secret too, for this long.</summary>
    public TimeSpan SecretOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Attempts in flight on one replica, and for one subscription (so a slow receiver never holds all of them).</summary>
    public int Concurrency { get; set; } = 64;

    public int ConcurrencyPerSubscription { get; set; } = 8;

    /// <summary>Bytes of a failing receiver's answer kept in the delivery log; the rest is not read.</summary>
    public int MaxErrorBodyBytes { get; set; } = 512;

    /// <summary>How often a replica looks for due deliveries that no commit of its own signalled.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public OutboundOptions Outbound { get; set; } = new();
}
