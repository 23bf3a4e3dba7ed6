namespace Pipeline.Contracts;

/// <summary>An event about a quote on an opportunity. Quotes change independently of the opportunity's version.</summary>
public abstract record QuoteEvent : IntegrationMessage
{
    public required Guid OpportunityId { get; init; }
    public required Guid QuoteId { get; init; }
    public required string QuoteNumber { get; init; }
}

public sealed record QuoteSent : QuoteEvent
{
    public required decimal Amount { get; init; }
    public required string Currency { get; init; }
    public DateOnly? ValidUntil { get; init; }
    public required string OwnerId { get; init; }
    public Guid? TeamId { get; init; }
    public string? ContactEmail { get; init; }
    public required DateTimeOffset SentAt { get; init; }
}

public sealed record QuoteAccepted : QuoteEvent;

public sealed record QuoteDeclined : QuoteEvent
{
    public string? Reason { get; init; }
}

public sealed record QuoteExpired : QuoteEvent;
