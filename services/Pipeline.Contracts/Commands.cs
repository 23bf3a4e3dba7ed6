namespace Pipeline.Contracts;

/// <summary>
/// Who receives a notification: a user (<see cref="UserId"/>) or everyone of a role in a team
/// (<see cref="TeamId"/> + <see cref="Role"/>, e.g. the team's manager).
/// </summary>
public sealed record NotificationRecipient(string? UserId, Guid? TeamId = null, string? Role = null);

public sealed record SendNotification : IntegrationMessage
{
    public required IReadOnlyList<NotificationRecipient> Recipients { get; init; }
    /// <summary><c>inbox</c> or <c>email</c>.</summary>
    public required string Channel { get; init; }
    public required string Title { get; init; }
    public string? Body { get; init; }
    public string? Link { get; init; }
    public Guid? OpportunityId { get; init; }
    public required Guid CorrelationId { get; init; }
}

/// <summary>Asks the opportunity service to create a follow-up activity; <see cref="CorrelationId"/> makes it idempotent.</summary>
public sealed record CreateFollowUpActivity : IntegrationMessage
{
    public required Guid OpportunityId { get; init; }
    public required string AssigneeId { get; init; }
    public required string ActivityType { get; init; }
    public required string Subject { get; init; }
    public DateTimeOffset? DueAt { get; init; }
    public required Guid CorrelationId { get; init; }
}
