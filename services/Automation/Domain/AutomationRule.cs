using Pipeline.Messaging.Tenancy;

namespace Pipeline.Automation.Domain;

/// <summary>An organisation's rule: a trigger, conditions, an optional delay and actions (SPEC §5).</summary>
public sealed class AutomationRule : ITenantOwned
{
    public const int NameMaxLength = 100;

    public Guid Id { get; init; }

    public Guid OrganizationId { get; init; }

    public required string Name { get; set; }

    public bool Enabled { get; set; }

    /// <summary>The trigger's type, also inside <see cref="Definition"/>: kept apart so the rules an event can start are found by it.</summary>
    public required string TriggerType { get; set; }

    public required RuleDefinition Definition { get; set; }

    /// <summary>Increases by one per change: the rule's ETag, and how a delayed action knows the rule changed since it was scheduled.</summary>
    public long Version { get; set; } = 1;

    /// <summary>
    /// From one sequence shared by every rule, taken again at each change: the highest revision of an organisation's
    /// rules tells a replica whether the rules it holds in memory are still current (<see cref="RuleCache"/>).
    /// </summary>
    public long Revision { get; set; }

    /// <summary>Why the service disabled the rule itself (a stage or user it names is gone), shown on the rule.</summary>
    public string? DisabledReason { get; set; }

    /// <summary>Set on the rules the service seeds for every organisation (<see cref="SeededRules"/>).</summary>
    public string? SeedKey { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public string? CreatedBy { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string? UpdatedBy { get; set; }

    /// <summary>A deleted rule is kept, so that its runs still name it; it no longer fires nor is listed.</summary>
    public DateTimeOffset? DeletedAt { get; set; }
}

/// <summary>Which of the seeded rules an organisation has had (each is created once, even if an admin deletes it later).</summary>
public sealed class RuleSeed : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public required string SeedKey { get; init; }

    public Guid RuleId { get; init; }

    public DateTimeOffset SeededAt { get; init; }
}
