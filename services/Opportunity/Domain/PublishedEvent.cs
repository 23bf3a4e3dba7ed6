using Pipeline.Messaging.Tenancy;

namespace Pipeline.Opportunity.Domain;

/// <summary>
/// Every event the service published, kept in order for good: the source from which another service rebuilds its
/// read models (<c>GET /api/opportunity/events</c>). The outbox forgets an event once the broker has it; this does not.
/// </summary>
public sealed class PublishedEvent : ITenantOwned
{
    public long Sequence { get; init; }

    public Guid OrganizationId { get; init; }

    public Guid EventId { get; init; }

    /// <summary>The contract's name, e.g. <c>StageChanged</c>.</summary>
    public required string Type { get; init; }

    public required string Body { get; init; }

    public DateTimeOffset OccurredAt { get; init; }
}
