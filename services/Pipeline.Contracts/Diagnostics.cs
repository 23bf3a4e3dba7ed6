namespace Pipeline.Contracts;

/// <summary>
/// A synthetic event an operator sends to prove the event path works end to end: written to the sender's
/// outbox, published, and recorded by every other service's consumer (see the README's operations section).
/// </summary>
public sealed record ProbeSent : IntegrationMessage
{
    public required Guid ProbeId { get; init; }
    public required string SentBy { get; init; }
}
