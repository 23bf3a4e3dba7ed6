using Pipeline.Messaging.Tenancy;

namespace Pipeline.Notification.Domain;

/// <summary>
/// One event of the live stream, kept for replay (<c>Last-Event-ID</c>). <see cref="Position"/> is the event's
/// <c>id:</c>: per organisation, dense (1, 2, 3, ...) and in commit order, so a client that saw position n has seen
/// everything before it (see <see cref="StreamPositions"/>).
/// </summary>
public sealed class StreamItem : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public long Position { get; init; }

    /// <summary><c>notification</c> or <c>opportunity</c> (the SSE <c>event:</c>).</summary>
    public required string Type { get; init; }

    /// <summary>For a notification: its one reader.</summary>
    public string? UserId { get; init; }

    /// <summary>For a deal change: its owner and team, who read it with the organisation's admins.</summary>
    public string? OwnerId { get; init; }

    public Guid? TeamId { get; init; }

    /// <summary>The SSE <c>data:</c>, JSON.</summary>
    public required string Data { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

public static class StreamEventTypes
{
    public const string Notification = "notification";
    public const string Opportunity = "opportunity";
}

/// <summary>The last position given out per organisation (<c>stream_positions</c>).</summary>
public sealed class StreamPosition : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public long Position { get; set; }
}
