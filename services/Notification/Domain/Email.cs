using Pipeline.Messaging.Tenancy;

namespace Pipeline.Notification.Domain;

public static class EmailStatus
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string Failed = "failed";
}

/// <summary>
/// An e-mail to send, written in the same transaction as the notification that asked for it and sent by
/// <c>EmailSender</c>; retried with backoff while the server is unreachable, and never written twice for one
/// command and address.
/// </summary>
public sealed class OutgoingEmail : ITenantOwned
{
    public Guid Id { get; init; }

    public Guid OrganizationId { get; init; }

    public required string ToAddress { get; init; }

    public string? ToName { get; init; }

    public required string Subject { get; init; }

    public required string TextBody { get; init; }

    public required string HtmlBody { get; init; }

    public required string Kind { get; init; }

    public Guid CorrelationId { get; init; }

    public string Status { get; set; } = EmailStatus.Pending;

    public int Attempts { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset? NextAttemptAt { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? SentAt { get; set; }

    public string? TraceParent { get; init; }
}

/// <summary>The daily digest of one organisation and local day: sent once, by whichever replica gets there first.</summary>
public sealed class DigestRun : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public DateOnly Day { get; init; }

    public int Recipients { get; set; }

    public DateTimeOffset RanAt { get; init; }
}
