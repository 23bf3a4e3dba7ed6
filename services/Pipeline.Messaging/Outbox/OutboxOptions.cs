namespace Pipeline.Messaging.Outbox;

public sealed class OutboxOptions
{
    /// <summary>Rows claimed and published per round trip; all of a batch are in flight at once.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>How often the outbox is polled when no commit woke the dispatcher.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// After a commit wakes the dispatcher, how long it waits for more commits to publish them in one batch:
    /// at hundreds of commits per second, one round trip per event would cost more than this delay.
    /// </summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// Batches in flight at once (at least one). A batch is done when the broker has confirmed all its events,
    /// which under load takes a while: meanwhile the next batch (other rows: each claims with SKIP LOCKED) is
    /// already being published, rather than the events committed in the meantime waiting for it.
    /// </summary>
    public int ConcurrentBatches { get; set; } = 2;

    /// <summary>How long a batch may wait for the broker's confirms before it is given up and retried.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The longest pause between attempts while the broker or the database is unreachable.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Set to false to run a service that only writes (tests, or a dispatcher-only replica set elsewhere).</summary>
    public bool DispatcherEnabled { get; set; } = true;
}
