using Pipeline.Messaging.Tenancy;

namespace Pipeline.Reporting.Domain;

/// <summary>
/// An event about a deal as it arrived (any order, possibly twice): the log each deal's read model is computed
/// from, so the result never depends on the order of delivery.
/// </summary>
public sealed class DealEvent : ITenantOwned
{
    public Guid EventId { get; init; }

    public Guid OrganizationId { get; init; }

    public Guid OpportunityId { get; init; }

    /// <summary>The opportunity's version after the change; 0 for events that do not version it (quotes, activities).</summary>
    public long Version { get; init; }

    public required string Type { get; init; }

    public required string Body { get; init; }

    public DateTimeOffset OccurredAt { get; init; }

    /// <summary>When it was applied here: with <see cref="OccurredAt"/>, how far behind the reports are.</summary>
    public DateTimeOffset RecordedAt { get; init; }
}

/// <summary>One deal as the reports see it, computed from its events. One row per read-model generation.</summary>
public sealed class Deal : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public int Generation { get; init; }

    public Guid OpportunityId { get; init; }

    public long LastVersion { get; set; }

    public Guid PipelineId { get; set; }

    public Guid StageId { get; set; }

    public string Title { get; set; } = "";

    public string OwnerId { get; set; } = "";

    public Guid? TeamId { get; set; }

    public decimal Amount { get; set; }

    public string Currency { get; set; } = "";

    public int Probability { get; set; }

    public string Status { get; set; } = "open";

    public string? Segment { get; set; }

    public string? Source { get; set; }

    public string? LostReason { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    public DateOnly? ExpectedDecisionDate { get; set; }

    /// <summary>The last stage change, update or completed activity: the stale-deal clock.</summary>
    public DateTimeOffset LastTouchedAt { get; set; }

    public int PushCount { get; set; }

    public int PushedDays { get; set; }
}

/// <summary>A stay of a deal in a stage: entered, left (null while it is there), and how it left.</summary>
public sealed class StageInterval : ITenantOwned
{
    public long Id { get; init; }

    public Guid OrganizationId { get; init; }

    public int Generation { get; init; }

    public Guid OpportunityId { get; init; }

    public Guid PipelineId { get; init; }

    public Guid StageId { get; init; }

    public DateTimeOffset EnteredAt { get; init; }

    public DateTimeOffset? ExitedAt { get; set; }

    /// <summary><c>moved</c>, <c>won</c>, <c>lost</c>, or null while in the stage.</summary>
    public string? Exit { get; set; }
}

/// <summary>
/// A change of a deal the pipeline review lists (<see cref="ChangeKind"/>), derived from its events by the projection,
/// with what it moved the open and weighted pipeline by and the deal's current pipeline, owner, team, segment and
/// source (the report's filters: kept on every row, so that a week of changes is read from one index without
/// visiting each deal). One row per change and read-model generation.
/// </summary>
public sealed class DealChange : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public int Generation { get; init; }

    public Guid OpportunityId { get; init; }

    /// <summary>The change's place in the deal's history (0 for its creation).</summary>
    public int Sequence { get; set; }

    /// <summary>The opportunity's version after the event the change comes from.</summary>
    public long Version { get; init; }

    /// <summary>A <see cref="ChangeKind"/>; a stage move is stored as <see cref="ChangeKind.Moved"/> and classified when read, by the pipeline's current order.</summary>
    public required string Kind { get; init; }

    /// <summary>When it happened: the creation or close time the event gives (an imported deal's own dates), else the event's time.</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>What it was and became, as text: stage names, amounts, dates, a status or a lost reason.</summary>
    public string? FromValue { get; init; }

    public string? ToValue { get; init; }

    /// <summary>The stages behind <see cref="FromValue"/> and <see cref="ToValue"/>, named and ordered as the pipeline now has them.</summary>
    public Guid? FromStageId { get; init; }

    public Guid? ToStageId { get; init; }

    /// <summary>New amount minus old, in <see cref="Currency"/>, for <see cref="ChangeKind.AmountUp"/> and <see cref="ChangeKind.AmountDown"/>.</summary>
    public decimal? AmountDelta { get; init; }

    /// <summary>The deal's currency after the change.</summary>
    public string Currency { get; init; } = "";

    /// <summary>
    /// What the change added to the open pipeline (Σ amount of open deals) in <see cref="Currency"/>: the deal's open
    /// amount after it minus before it (0 once closed), or, when the change was of currency, all of it after.
    /// </summary>
    public decimal OpenDelta { get; init; }

    /// <summary>The same for the weighted pipeline (amount × probability ÷ 100).</summary>
    public decimal WeightedDelta { get; init; }

    /// <summary>The deal's currency before the change: another only for a change of currency.</summary>
    public string PreviousCurrency { get; init; } = "";

    /// <summary>What a change of currency took away from the open pipeline in <see cref="PreviousCurrency"/> (else 0).</summary>
    public decimal RemovedOpenAmount { get; init; }

    /// <summary>The same for the weighted pipeline.</summary>
    public decimal RemovedWeightedAmount { get; init; }

    public Guid PipelineId { get; set; }

    public string OwnerId { get; set; } = "";

    public Guid? TeamId { get; set; }

    public string? Segment { get; set; }

    public string? Source { get; set; }
}

/// <summary>A stage of a pipeline as the last PipelineChanged described it.</summary>
public sealed class PipelineStage : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public Guid PipelineId { get; init; }

    public Guid StageId { get; init; }

    public required string Name { get; set; }

    public int Order { get; set; }

    public int Probability { get; set; }

    public int RottingDays { get; set; }

    public bool IsDefaultPipeline { get; set; }

    /// <summary>No longer in the pipeline (its history remains).</summary>
    public bool Removed { get; set; }
}

/// <summary>
/// One rate of the organisation's table, quoted in <see cref="RateTable.QuotedIn"/>: one unit of
/// <see cref="Currency"/> is worth <see cref="Rate"/> units of it from <see cref="EffectiveFrom"/> on.
/// </summary>
public sealed class ExchangeRate : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public required string Currency { get; init; }

    public DateOnly EffectiveFrom { get; init; }

    public decimal Rate { get; set; }

    /// <summary>When the rate was sent: a copy sent earlier and delivered later changes nothing.</summary>
    public DateTimeOffset ChangedAt { get; set; }
}

/// <summary>
/// The currency the organisation's rate table is quoted in, as the opportunity service sends it with every rate, and
/// the time of the newest rate received in it: a rate quoted in another currency and sent later comes from a table
/// an admin replaced, whose rates replace all of these.
/// </summary>
public sealed class RateTable : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public required string QuotedIn { get; set; }

    public DateTimeOffset QuotedAt { get; set; }
}

/// <summary>
/// Per organisation: which generation of the read models readers use and the time zone its days are cut in, and
/// the generation a rebuild is filling and the zone it cuts them in.
/// </summary>
public sealed class ProjectionState : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public int ActiveGeneration { get; set; } = 1;

    /// <summary>The IANA time zone (as PostgreSQL knows it) of the readers' generation: its creation, close and stage days.</summary>
    public string TimeZone { get; set; } = "UTC";

    public int? BuildingGeneration { get; set; }

    public string? BuildingTimeZone { get; set; }
}

/// <summary>
/// A rebuild of an organisation's read models: asked for by an admin (from the opportunity service's history), or
/// queued when the organisation's time zone changes (<see cref="Reason"/>, from the events already here).
/// </summary>
public sealed class RebuildJob : ITenantOwned
{
    public const string TimeZoneChanged = "time-zone";

    /// <summary>A re-projection from the events here that derives what a new read model keeps (the deals' changes).</summary>
    public const string ChangesBackfilled = "changes";

    public Guid Id { get; init; }

    public Guid OrganizationId { get; init; }

    /// <summary><c>queued</c> (a re-cut waiting for a replica), <c>running</c>, <c>completed</c> or <c>failed</c>.</summary>
    public string Status { get; set; } = "running";

    /// <summary>Null for an admin's rebuild; <see cref="TimeZoneChanged"/> for a re-cut of the days; <see cref="ChangesBackfilled"/> once, at the upgrade that added the changes.</summary>
    public string? Reason { get; init; }

    public int EventsRead { get; set; }

    public int DealsProjected { get; set; }

    public string? Failure { get; set; }

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; set; }
}
