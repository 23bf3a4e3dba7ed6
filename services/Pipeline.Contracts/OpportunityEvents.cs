namespace Pipeline.Contracts;

public sealed record OpportunityCreated : OpportunityEvent
{
    public required Guid PipelineId { get; init; }
    public required Guid StageId { get; init; }
    public required string StageName { get; init; }
    public required string Title { get; init; }
    public string? AccountName { get; init; }
    public string? ContactName { get; init; }
    public string? ContactEmail { get; init; }
    public required string OwnerId { get; init; }
    public Guid? TeamId { get; init; }
    public required decimal Amount { get; init; }
    public required string Currency { get; init; }
    public required int Probability { get; init; }
    public DateOnly? ExpectedDecisionDate { get; init; }
    public string? Source { get; init; }
    public string? Segment { get; init; }

    /// <summary>When the deal entered the pipeline; in the past for a deal imported from another CRM.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>True when the deal came from an import, so consumers do not treat it as new activity.</summary>
    public bool Imported { get; init; }
}

/// <summary>One changed field, with its old and new value as text (for history and webhooks).</summary>
public sealed record FieldChange(string Field, string? OldValue, string? NewValue);

/// <summary>Fields changed, with old and new values, plus the opportunity's current values after the change.</summary>
public sealed record OpportunityUpdated : OpportunityEvent
{
    public required IReadOnlyList<FieldChange> Changes { get; init; }
    public required string Title { get; init; }
    public string? AccountName { get; init; }
    public string? ContactName { get; init; }
    public string? ContactEmail { get; init; }
    public required string OwnerId { get; init; }
    public Guid? TeamId { get; init; }
    public required decimal Amount { get; init; }
    public required string Currency { get; init; }
    public required int Probability { get; init; }
    public DateOnly? ExpectedDecisionDate { get; init; }
    public string? Source { get; init; }
    public string? Segment { get; init; }
}

/// <summary>The expected decision date moved; a "push" (slip) when the new date is later.</summary>
public sealed record DecisionDateChanged : OpportunityEvent
{
    public DateOnly? PreviousDate { get; init; }
    public DateOnly? NewDate { get; init; }
    public bool IsPush => PreviousDate is { } previous && NewDate is { } next && next > previous;
}

public sealed record StageChanged : OpportunityEvent
{
    public required Guid PipelineId { get; init; }
    public required Guid FromStageId { get; init; }
    public required string FromStageName { get; init; }
    public required Guid ToStageId { get; init; }
    public required string ToStageName { get; init; }
    public required int Probability { get; init; }
    public required decimal Amount { get; init; }
    public required string Currency { get; init; }
    public required string OwnerId { get; init; }
    public Guid? TeamId { get; init; }

    /// <summary>Time spent in the stage being left, since the opportunity last entered it.</summary>
    public required TimeSpan TimeInPreviousStage { get; init; }
}

public sealed record OpportunityWon : OpportunityEvent
{
    public required Guid PipelineId { get; init; }
    public required Guid StageId { get; init; }
    public required decimal Amount { get; init; }
    public required string Currency { get; init; }
    public required string OwnerId { get; init; }
    public Guid? TeamId { get; init; }
    public required DateTimeOffset ClosedAt { get; init; }
    public required TimeSpan TimeInStage { get; init; }
}

public sealed record OpportunityLost : OpportunityEvent
{
    public required Guid PipelineId { get; init; }
    public required Guid StageId { get; init; }
    public required string Reason { get; init; }
    public required decimal Amount { get; init; }
    public required string Currency { get; init; }
    public required string OwnerId { get; init; }
    public Guid? TeamId { get; init; }
    public required DateTimeOffset ClosedAt { get; init; }
    public required TimeSpan TimeInStage { get; init; }
}

public sealed record OpportunityReopened : OpportunityEvent
{
    public required Guid PipelineId { get; init; }
    public required Guid StageId { get; init; }
    public required string StageName { get; init; }
    public required int Probability { get; init; }
    public required string PreviousStatus { get; init; }
}
