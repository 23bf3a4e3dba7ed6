using Pipeline.Messaging.Tenancy;

namespace Pipeline.Notification.Domain;

/// <summary>One notification in one user's in-app inbox.</summary>
public sealed class InboxItem : ITenantOwned
{
    public Guid Id { get; init; }

    public Guid OrganizationId { get; init; }

    public required string UserId { get; init; }

    public required string Title { get; init; }

    public string? Body { get; init; }

    public string? Link { get; init; }

    public Guid? OpportunityId { get; init; }

    public required string Kind { get; init; }

    /// <summary>The command it came from: one item per command and user, however often the command is sent.</summary>
    public Guid CorrelationId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ReadAt { get; set; }
}

/// <summary>
/// What became of one <c>SendNotification</c> (or a notification the service raised itself): whom it reached, and
/// whom it skipped and why (a user who left, an outside address on the in-app channel, ...). One per correlation id.
/// </summary>
public sealed class NotificationRecord : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public Guid CorrelationId { get; init; }

    public required string Kind { get; init; }

    public required string Title { get; init; }

    public int InboxItems { get; set; }

    public int Emails { get; set; }

    /// <summary>One line per skipped recipient, with the reason.</summary>
    public List<string> Skipped { get; set; } = [];

    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A notification as its reader sees it: in <c>GET /api/notifications</c> and as the stream's <c>notification</c> event.</summary>
public sealed record NotificationView(
    Guid Id, string Title, string? Body, string? Link, Guid? OpportunityId, string Kind, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt)
{
    public static NotificationView From(InboxItem item) =>
        new(item.Id, item.Title, item.Body, item.Link, item.OpportunityId, item.Kind, item.CreatedAt, item.ReadAt);
}
