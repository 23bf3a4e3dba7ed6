using Pipeline.Messaging.Tenancy;

namespace Pipeline.Opportunity.Domain;

public static class ImportStatus
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
}

/// <summary>A CSV import in progress or done: how many rows, how many imported, each bad row with its reason.</summary>
public sealed class ImportJob : ITenantOwned
{
    /// <summary>Only the first errors are kept; <see cref="RowsFailed"/> counts them all.</summary>
    public const int MaxErrorsKept = 1000;

    public Guid Id { get; init; }

    public Guid OrganizationId { get; init; }

    public string Status { get; set; } = ImportStatus.Running;

    public int RowsTotal { get; set; }

    public int RowsDone { get; set; }

    public int RowsFailed { get; set; }

    public List<ImportError> Errors { get; init; } = [];

    /// <summary>Why the whole job failed (an unreadable file), as opposed to single bad rows.</summary>
    public string? Failure { get; set; }

    public required string CreatedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>
    /// The last time the replica holding this job (queued or running) said it still holds it; a running job whose
    /// replica stopped saying so (killed, its machine gone) is failed by <c>ImportWatch</c> rather than left running.
    /// </summary>
    public DateTimeOffset HeartbeatAt { get; set; }
}

public sealed class ImportError
{
    public int Line { get; init; }

    public required string Message { get; init; }
}
