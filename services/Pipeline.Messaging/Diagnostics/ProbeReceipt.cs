using Pipeline.Messaging.Tenancy;

namespace Pipeline.Messaging.Diagnostics;

/// <summary>A <see cref="Contracts.ProbeSent"/> this service received: proof that the event path to it works.</summary>
public sealed class ProbeReceipt : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public required Guid ProbeId { get; init; }

    public required string SentBy { get; init; }

    public required DateTimeOffset SentAt { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }
}
