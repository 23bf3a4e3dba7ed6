namespace Pipeline.Contracts;

/// <summary>A follow-up (call, e-mail, meeting, task). Completing one resets the stale-deal clock.</summary>
public sealed record ActivityScheduled : IntegrationMessage
{
    public required Guid ActivityId { get; init; }
    public required Guid OpportunityId { get; init; }
    public required string Type { get; init; }
    public required string Subject { get; init; }
    public required string AssigneeId { get; init; }
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>Set for an activity due on a day rather than at a time; <see cref="DueAt"/> is then that day's last instant in the organisation's time zone.</summary>
    public DateOnly? DueDate { get; init; }
}

public sealed record ActivityCompleted : IntegrationMessage
{
    public required Guid ActivityId { get; init; }
    public required Guid OpportunityId { get; init; }
    public required string Type { get; init; }
    public required string AssigneeId { get; init; }
    public required DateTimeOffset CompletedAt { get; init; }
}
