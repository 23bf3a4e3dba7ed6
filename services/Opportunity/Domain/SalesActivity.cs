using Pipeline.Messaging.Tenancy;

namespace Pipeline.Opportunity.Domain;

public static class ActivityTypes
{
    public static readonly string[] All = ["call", "email", "meeting", "task"];
}

/// <summary>A follow-up on an opportunity: a call, e-mail, meeting or task, due at a time, for someone.</summary>
public sealed class SalesActivity : ITenantOwned
{
    public Guid Id { get; init; }

    public Guid OrganizationId { get; init; }

    public Guid OpportunityId { get; init; }

    public required string Type { get; set; }

    public required string Subject { get; set; }

    /// <summary>When it is due; for an activity due on a day (<see cref="DueDate"/>), that day's last instant in the organisation's time zone.</summary>
    public DateTimeOffset? DueAt { get; set; }

    /// <summary>A day without a time (a task for Friday): overdue once the organisation's midnight after it has passed.</summary>
    public DateOnly? DueDate { get; set; }

    public required string AssigneeId { get; set; }

    public bool Done { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public string? CreatedBy { get; init; }

    /// <summary>Set when automation asked for it: the same request twice creates one activity.</summary>
    public Guid? CorrelationId { get; init; }
}
