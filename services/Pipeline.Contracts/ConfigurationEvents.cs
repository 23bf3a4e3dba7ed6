namespace Pipeline.Contracts;

public sealed record PipelineStageDefinition(Guid Id, string Name, int Order, int Probability, int RottingDays);

/// <summary>A pipeline was created or changed; carries its whole ordered list of stages.</summary>
public sealed record PipelineChanged : IntegrationMessage
{
    public required Guid PipelineId { get; init; }
    public required string Name { get; init; }
    public bool IsDefault { get; init; }
    public required IReadOnlyList<PipelineStageDefinition> Stages { get; init; }
}

/// <summary>
/// A dated rate of the organisation's table: one unit of <see cref="Currency"/> is worth <see cref="Rate"/> units of
/// <see cref="OrganizationCurrency"/>, the currency the table is quoted in (the organisation's when an admin last
/// replaced it; amounts convert into the organisation's current currency through the table at cross rates).
/// </summary>
public sealed record ExchangeRateChanged : IntegrationMessage
{
    public required string Currency { get; init; }
    public required string OrganizationCurrency { get; init; }
    public required decimal Rate { get; init; }
    public required DateOnly EffectiveFrom { get; init; }
}

/// <summary>Published by identity so other services can resolve "the owner" or "the team's manager" locally.</summary>
public sealed record UserChanged : IntegrationMessage
{
    public required string UserId { get; init; }
    public Guid? TeamId { get; init; }
    public string? TeamName { get; init; }
    public required string Role { get; init; }
    public required string Name { get; init; }
    public required string Email { get; init; }
    public required bool Active { get; init; }
}

/// <summary>
/// Published by identity when an organisation is created or its settings change (and once more at each release),
/// so that every service converts amounts into the organisation's currency and cuts days and periods in its
/// time zone, without calling identity. <see cref="Version"/> increases by one per change: a consumer keeps the
/// highest it has seen and ignores older or repeated copies.
/// </summary>
public sealed record OrganizationChanged : IntegrationMessage
{
    public required string Name { get; init; }

    /// <summary>ISO 4217 code: every converted total of the organisation is in this currency.</summary>
    public required string Currency { get; init; }

    /// <summary>IANA time zone (e.g. Europe/Paris): "today", overdue, decision dates and report periods follow it.</summary>
    public required string TimeZone { get; init; }

    /// <summary>1 to 12: the month the fiscal year starts in (fiscal quarters follow from it).</summary>
    public required int FiscalYearStartMonth { get; init; }

    public required long Version { get; init; }
}
