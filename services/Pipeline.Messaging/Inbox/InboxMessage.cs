namespace Pipeline.Messaging.Inbox;

/// <summary>A message a consumer has handled, recorded in the same transaction as the consumer's effect.</summary>
public sealed class InboxMessage
{
    public required string Consumer { get; init; }

    public required Guid MessageId { get; init; }

    public DateTimeOffset ProcessedAt { get; init; }
}
