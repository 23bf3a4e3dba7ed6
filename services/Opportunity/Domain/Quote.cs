using Pipeline.Messaging.Tenancy;

namespace Pipeline.Opportunity.Domain;

public static class QuoteStatus
{
    public const string Draft = "draft";
    public const string Sent = "sent";
    public const string Accepted = "accepted";
    public const string Declined = "declined";
    public const string Expired = "expired";
}

/// <summary>A price proposal on an opportunity, numbered per organisation (Q-000001, ...).</summary>
public sealed class Quote : ITenantOwned
{
    public Guid Id { get; init; }

    public Guid OrganizationId { get; init; }

    public Guid OpportunityId { get; init; }

    public required string Number { get; init; }

    public decimal Amount { get; set; }

    public required string Currency { get; set; }

    public DateOnly? ValidUntil { get; set; }

    public string Status { get; set; } = QuoteStatus.Draft;

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? SentAt { get; set; }

    public DateTimeOffset? AnsweredAt { get; set; }

    public string? DeclineReason { get; set; }

    public long Version { get; set; }
}

/// <summary>The next quote number of an organisation; incremented under a row lock so numbers never repeat.</summary>
public sealed class QuoteCounter : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public long Next { get; set; }
}
