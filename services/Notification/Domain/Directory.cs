using Pipeline.Messaging.Tenancy;

namespace Pipeline.Notification.Domain;

/// <summary>
/// A user as identity last described them (<c>UserChanged</c>): who "the team's managers" or "everyone in the team"
/// are, and where to send their e-mail, without calling identity.
/// </summary>
public sealed class DirectoryUser : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public required string UserId { get; init; }

    public Guid? TeamId { get; set; }

    public required string Role { get; set; }

    public required string Name { get; set; }

    public required string Email { get; set; }

    /// <summary>False once the user left: they receive nothing more.</summary>
    public bool Active { get; set; }
}

/// <summary>
/// Who may read a deal, as the opportunity and quote events describe it: its owner, its team (members and
/// managers) and the organisation's admins. Kept from the events in <see cref="Version"/> order, so a late copy of
/// an older event does not give the deal back to its former owner.
/// </summary>
public sealed class DealReaders : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public Guid OpportunityId { get; init; }

    public string? OwnerId { get; set; }

    public Guid? TeamId { get; set; }

    public Guid? PipelineId { get; set; }

    public Guid? StageId { get; set; }

    public string Status { get; set; } = DealStatus.Open;

    public string? Title { get; set; }

    /// <summary>The version of the newest opportunity event applied (quote events carry none).</summary>
    public long Version { get; set; }
}

public static class DealStatus
{
    public const string Open = "open";
    public const string Won = "won";
    public const string Lost = "lost";
}

/// <summary>
/// An activity (a call, a task, ...) assigned to a user: what the daily digest lists once it is overdue and still
/// open. Kept after completion, so that a completion that overtook its scheduling on the way is not undone by it.
/// </summary>
public sealed class AssignedActivity : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public Guid ActivityId { get; init; }

    public Guid OpportunityId { get; init; }

    public string AssigneeId { get; set; } = "";

    public string Type { get; set; } = "";

    public string Subject { get; set; } = "";

    public DateTimeOffset? DueAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }
}
