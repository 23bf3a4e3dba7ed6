using Pipeline.Messaging.Tenancy;

namespace Pipeline.Reporting.Domain;

/// <summary>
/// An event about a deal as it arrived (any order, possibly twice): the log each deal's read model is computed
/// from, so the result never depends on the order of delivery.
/// </summary>
public sealed class DealEvent : ITenantOwned
{
    public Guid EventId { get; init; }

    public Guid OrganizationId { get; init; }

    public Guid OpportunityId { get; init; }

    /// <summary>The opportunity's version after the change; 0 for events that do not version it (quotes, activities).</summary>
    public long Version { get; init; }

    public required string Type { get; init; }

    public required string Body { get; init; }

    public DateTimeOffset OccurredAt { get; init; }

    /// <summary>When it was applied here: with <see cref="OccurredAt"/>, how far behind the reports are.</summary>
    public DateTimeOffset RecordedAt { get; init; }
}

/// <summary>One deal as the reports see it, computed from its events. One row per read-model generation.</summary>
public sealed class Deal : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public int Generation { get; init; }

    public Guid OpportunityId { get; init; }

    public long LastVersion { get; set; }

    public Guid PipelineId { get; set; }

    public Guid StageId { get; set; }

    public string Title { get; set; } = "";

    public string OwnerId { get; set; } = "";

    public Guid? TeamId { get; set; }

    public decimal Amount { get; set; }

    public string Currency { get; set; } = "";

    public int Probability { get; set; }

    public string Status { get; set; } = "open";

    public string? Segment { get; set; }

    public string? Source { get; set; }

    public string? LostReason { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    public DateOnly? ExpectedDecisionDate { get; set; }

    /// <summary>The last stage change, update or completed activity: the stale-deal clock.</summary>
    public DateTimeOffset LastTouchedAt { get; set; }

    public int PushCount { get; set; }

    public int PushedDays { get; set; }
}

/// <summary>A stay of a deal in a stage: entered, left (null while it is there), and how it left.</summary>
public sealed class StageInterval : ITenantOwned
{
    public long Id { get; init; }

    public Guid OrganizationId { get; init; }

    public int Generation { get; init; }

    public Guid OpportunityId { get; init; }

    public Guid PipelineId { get; init; }

    public Guid StageId { get; init; }

    public DateTimeOffset EnteredAt { get; init; }

    public DateTimeOffset? ExitedAt { get; set; }

    /// <summary><c>moved</c>, <c>won</c>, <c>lost</c>, or null while in the stage.</summary>
    public string? Exit { get; set; }
}

/// <summary>A stage of a pipeline as the last PipelineChanged described it.</summary>
public sealed class PipelineStage : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public Guid PipelineId { get; init; }

    public Guid StageId { get; init; }

    public required string Name { get; set; }

    public int Order { get; set; }

    public int Probability { get; set; }

    public int RottingDays { get; set; }

    public bool IsDefaultPipeline { get; set; }

    /// <summary>No longer in the pipeline (its history remains).</summary>
    public bool Removed { get; set; }
}

public sealed class RateToOrganizationCurrency : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public required string Currency { get; init; }

    public DateOnly EffectiveFrom { get; init; }

    public decimal Rate { get; set; }
}

/// <summary>
/// Per organisation: its currency, which generation of the read models readers use, the one a rebuild is
/// filling, and how current the reports are.
/// </summary>
public sealed class ProjectionState : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public string Currency { get; set; } = "EUR";

    public int ActiveGeneration { get; set; } = 1;

    public int? BuildingGeneration { get; set; }
}

public sealed class RebuildJob : ITenantOwned
{
    public Guid Id { get; init; }

    public Guid OrganizationId { get; init; }

    public string Status { get; set; } = "running";

    public int EventsRead { get; set; }

    public int DealsProjected { get; set; }

    public string? Failure { get; set; }

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; set; }
}
