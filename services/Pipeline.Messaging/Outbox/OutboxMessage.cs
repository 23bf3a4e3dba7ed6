namespace Pipeline.Messaging.Outbox;

/// <summary>
/// An event waiting to be published, written in the same transaction as the state change it describes.
/// The dispatcher deletes the row once the broker has confirmed the publish.
/// </summary>
public sealed class OutboxMessage
{
    /// <summary>Insertion order; the dispatcher claims the oldest rows first.</summary>
    public long Sequence { get; private set; }

    /// <summary>The event's <c>EventId</c>, used as the broker message id so consumers can deduplicate.</summary>
    public Guid MessageId { get; init; }

    /// <summary>Full name of the contract type in <c>Pipeline.Contracts</c>.</summary>
    public required string MessageType { get; init; }

    /// <summary>The event as JSON.</summary>
    public required string Body { get; init; }

    /// <summary>W3C trace context of the request that wrote the event, so its trace continues through the broker.</summary>
    public string? TraceParent { get; init; }

    public string? TraceState { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>
/// An outbox row that cannot be published (a type this build does not know, a body it cannot read), moved here with
/// the reason instead of staying first in line: the events behind it flow, and an operator (or a newer build, for an
/// unknown type: see <see cref="OutboxDispatcher"/>) decides what becomes of it.
/// </summary>
public sealed class SetAsideOutboxMessage
{
    /// <summary>Its place in the outbox when it was set aside.</summary>
    public long Sequence { get; init; }

    public Guid MessageId { get; init; }

    public required string MessageType { get; init; }

    public required string Body { get; init; }

    public string? TraceParent { get; init; }

    public string? TraceState { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Why it could not be published: <c>unknown type</c> or <c>unreadable: ...</c>.</summary>
    public required string Reason { get; init; }

    public DateTimeOffset SetAsideAt { get; init; }
}
