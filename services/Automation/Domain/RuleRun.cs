using Pipeline.Messaging.Tenancy;

namespace Pipeline.Automation.Domain;

public static class RunStatus
{
    public const string Scheduled = "scheduled";
    public const string Fired = "fired";
    public const string Skipped = "skipped";
    public const string Failed = "failed";

    public static readonly string[] All = [Scheduled, Fired, Skipped, Failed];
}

/// <summary>
/// One time a rule matched a deal: its trigger fired and its conditions held. While <see cref="Status"/> is
/// <c>scheduled</c> it is also the delayed action itself, claimed by the scheduler when <see cref="DueAt"/> comes;
/// then it says what happened and why (fired, skipped with the reason, failed with the error).
/// </summary>
public sealed class RuleRun : ITenantOwned
{
    public Guid Id { get; init; }

    public Guid OrganizationId { get; init; }

    public Guid RuleId { get; init; }

    /// <summary>The rule's version when it matched: a delayed action of a rule changed since is skipped.</summary>
    public long RuleVersion { get; init; }

    public Guid OpportunityId { get; init; }

    /// <summary>The quote a QuoteSent rule matched on.</summary>
    public Guid? QuoteId { get; init; }

    public required string TriggerType { get; init; }

    /// <summary>
    /// What this match is an instance of, unique per rule and deal: the triggering event (<c>event:&lt;id&gt;</c>), a
    /// stale episode (<c>stale:&lt;last change&gt;</c>) or a decision date (<c>decision:&lt;date&gt;</c>), so that a deal
    /// fires once per event or episode, however many replicas evaluate it and however often.
    /// </summary>
    public required string Episode { get; init; }

    /// <summary>For a stale deal's run, the deal's last change the episode began with: how a pass finds the deals not fired for yet.</summary>
    public DateTimeOffset? EpisodeStartedAt { get; init; }

    /// <summary>What triggered it, in words ("Quote Q-000012 (1,200 EUR) was sent").</summary>
    public required string Trigger { get; init; }

    public required string Status { get; set; }

    public required string Reason { get; set; }

    public DateTimeOffset TriggeredAt { get; init; }

    public DateTimeOffset DueAt { get; init; }

    public DateTimeOffset? FiredAt { get; set; }

    /// <summary>When it left <c>scheduled</c> (fired, skipped or failed).</summary>
    public DateTimeOffset? SettledAt { get; set; }

    /// <summary>The W3C trace context of the evaluation that matched, linked from the firing's trace.</summary>
    public string? TraceParent { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
