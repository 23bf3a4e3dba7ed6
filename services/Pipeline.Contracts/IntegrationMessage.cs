namespace Pipeline.Contracts;

/// <summary>
/// The envelope every event and command carries. <see cref="EventId"/> is the idempotency key: a consumer
/// records it with its effect, so a redelivered message changes nothing.
/// </summary>
public abstract record IntegrationMessage
{
    public Guid EventId { get; init; } = Guid.NewGuid();

    public DateTimeOffset OccurredAt { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>The tenant. Consumers scope what they write by this value, never by ambient state.</summary>
    public required Guid OrganizationId { get; init; }

    /// <summary>The user (<c>sub</c>) or API client whose action caused the message; null for the system.</summary>
    public string? ActorId { get; init; }
}

/// <summary>
/// An event about one opportunity. <see cref="Version"/> is the opportunity's version after the change,
/// increasing by one per change, so a consumer can ignore stale or duplicate deliveries.
/// </summary>
public abstract record OpportunityEvent : IntegrationMessage
{
    public required Guid OpportunityId { get; init; }

    public required long Version { get; init; }
}
