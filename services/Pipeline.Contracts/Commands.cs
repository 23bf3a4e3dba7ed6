namespace Pipeline.Contracts;

/// <summary>
/// Who receives a notification: a user (<see cref="UserId"/>), everyone of a role in a team (<see cref="TeamId"/> +
/// <see cref="Role"/>, e.g. the team's manager), everyone in a team (<see cref="TeamId"/> alone), or, on the e-mail
/// channel only, an outside address such as a deal's contact (<see cref="Email"/>, with <see cref="Name"/>).
/// </summary>
public sealed record NotificationRecipient(string? UserId, Guid? TeamId = null, string? Role = null, string? Email = null, string? Name = null);

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

    /// <summary>What it is about, for the recipients' preferences (e.g. <c>rule</c>, <c>stage-alert</c>, <c>quote-reminder</c>, <c>digest</c>).</summary>
    public string Kind { get; init; } = "general";

    /// <summary>An e-mail template (e.g. <c>quote-reminder</c>, <c>stage-alert</c>) filled with <see cref="TemplateValues"/>; without one, the title and body are sent as they are.</summary>
    public string? Template { get; init; }

    public IReadOnlyDictionary<string, string>? TemplateValues { get; init; }
}

/// <summary>
/// Asks the notification service to deliver <see cref="Data"/> to one of the organisation's webhook subscriptions,
/// signed and retried like its own deliveries (an automation rule's <c>webhook</c> action).
/// </summary>
public sealed record DeliverWebhook : IntegrationMessage
{
    public required Guid SubscriptionId { get; init; }

    /// <summary>The event name the receiver sees (<c>X-Pipeline-Event</c>), e.g. <c>AutomationRuleFired</c>.</summary>
    public required string Event { get; init; }

    /// <summary>The delivery's <c>data</c> object, as JSON.</summary>
    public required string Data { get; init; }

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
