using Pipeline.Messaging.Tenancy;

namespace Pipeline.Opportunity.Domain;

public static class OpportunityStatus
{
    public const string Open = "open";
    public const string Won = "won";
    public const string Lost = "lost";
}

/// <summary>
/// A deal in the pipeline. <see cref="Version"/> increases by one with every change and is the optimistic
/// concurrency token: two writers that read the same version cannot both save.
/// </summary>
public sealed class Opportunity : ITenantOwned
{
    public Guid Id { get; init; }

    public Guid OrganizationId { get; init; }

    public Guid PipelineId { get; set; }

    public Guid StageId { get; set; }

    public required string Title { get; set; }

    public string? AccountName { get; set; }

    public string? ContactName { get; set; }

    public string? ContactEmail { get; set; }

    public required string OwnerId { get; set; }

    public Guid? TeamId { get; set; }

    public decimal Amount { get; set; }

    public required string Currency { get; set; }

    /// <summary>The stage's probability, unless <see cref="ProbabilityOverridden"/>.</summary>
    public int Probability { get; set; }

    public bool ProbabilityOverridden { get; set; }

    public DateOnly? ExpectedDecisionDate { get; set; }

    public string? Source { get; set; }

    public string? Segment { get; set; }

    public string Status { get; set; } = OpportunityStatus.Open;

    public string? LostReason { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset StageEnteredAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>The last stage change, update or completed activity: the clock of staleness.</summary>
    public DateTimeOffset LastActivityAt { get; set; }

    public long Version { get; set; }

    public bool IsOpen => Status == OpportunityStatus.Open;
}

/// <summary>One immutable line of an opportunity's history: a stage move, a field change or an outcome.</summary>
public sealed class HistoryEntry : ITenantOwned
{
    public long Id { get; init; }

    public Guid OrganizationId { get; init; }

    public Guid OpportunityId { get; init; }

    public long Version { get; init; }

    /// <summary><c>stage</c>, <c>field</c> or <c>status</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The field changed (for <c>field</c>), <c>stage</c> or <c>status</c>.</summary>
    public required string Field { get; init; }

    public string? OldValue { get; init; }

    public string? NewValue { get; init; }

    public Guid? FromStageId { get; init; }

    public Guid? ToStageId { get; init; }

    /// <summary>For a stage move: time spent in the stage left.</summary>
    public TimeSpan? TimeInPreviousStage { get; init; }

    public string? ActorId { get; init; }

    public DateTimeOffset OccurredAt { get; init; }
}
