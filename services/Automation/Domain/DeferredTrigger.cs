using Pipeline.Messaging.Tenancy;

namespace Pipeline.Automation.Domain;

/// <summary>
/// An event that would start a rule, about a deal whose <c>OpportunityCreated</c> has not arrived yet (events are not
/// delivered in order). Rules compare the deal's fields, so it waits here, and is evaluated as soon as the deal's
/// creation is applied, in the same transaction.
/// </summary>
public sealed class DeferredTrigger : ITenantOwned
{
    public Guid EventId { get; init; }

    public Guid OrganizationId { get; init; }

    public Guid OpportunityId { get; init; }

    /// <summary>The contract's name, e.g. <c>StageChanged</c>.</summary>
    public required string Type { get; init; }

    public required string Body { get; init; }

    public DateTimeOffset OccurredAt { get; init; }
}
