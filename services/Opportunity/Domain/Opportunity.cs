using Pipeline.Messaging.Tenancy;

namespace Pipeline.Opportunity.Domain;

/// <summary>
/// Where a deal stands: open in the pipeline, or decided (won or lost). The rules of a decided deal live on
/// <see cref="Opportunity"/>, so that every request, consumer and import gets the same answer.
/// </summary>
public readonly record struct OpportunityStatus
{
    private OpportunityStatus(string value) => Value = value;

    public static OpportunityStatus Open { get; } = new("open");

    public static OpportunityStatus Won { get; } = new("won");

    public static OpportunityStatus Lost { get; } = new("lost");

    public static IReadOnlyList<OpportunityStatus> All { get; } = [Open, Won, Lost];

    /// <summary>The name in the API, the CSV files and the database: <c>open</c>, <c>won</c> or <c>lost</c>.</summary>
    public string Value { get; }

    public bool IsClosed => this != Open;

    public static bool TryParse(string? text, out OpportunityStatus status)
    {
        status = All.FirstOrDefault(s => string.Equals(s.Value, text?.Trim(), StringComparison.OrdinalIgnoreCase));
        return status.Value is not null;
    }

    public static OpportunityStatus Parse(string text) =>
        TryParse(text, out var status) ? status : throw new FormatException($"'{text}' is not open, won or lost.");

    public override string ToString() => Value;
}

/// <summary>
/// A deal in the pipeline. <see cref="Version"/> increases by one with every change and is the optimistic
/// concurrency token: two writers that read the same version cannot both save.
/// </summary>
public sealed class Opportunity : ITenantOwned
{
    public Guid Id { get; init; }

    public Guid OrganizationId { get; init; }

    public Guid PipelineId { get; set; }

    public Guid StageId { get; set; }

    public required string Title { get; set; }

    public string? AccountName { get; set; }

    public string? ContactName { get; set; }

    public string? ContactEmail { get; set; }

    public required string OwnerId { get; set; }

    public Guid? TeamId { get; set; }

    public decimal Amount { get; set; }

    public required string Currency { get; set; }

    /// <summary>The stage's probability, unless <see cref="ProbabilityOverridden"/>.</summary>
    public int Probability { get; set; }

    public bool ProbabilityOverridden { get; set; }

    public DateOnly? ExpectedDecisionDate { get; set; }

    public string? Source { get; set; }

    public string? Segment { get; set; }

    public OpportunityStatus Status { get; set; } = OpportunityStatus.Open;

    public string? LostReason { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset StageEnteredAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>The last stage change, update or completed activity: the clock of staleness.</summary>
    public DateTimeOffset LastActivityAt { get; set; }

    public long Version { get; set; }

    public bool IsOpen => Status == OpportunityStatus.Open;

    // What a decided deal may not do until it is reopened: its figures are the ones the reports count as won or lost.
    // Each answers why not (for the caller to show), or null when it may.

    /// <summary>Moving to another stage.</summary>
    public string? CannotMove() => IsOpen ? null : $"The opportunity is {Status}: reopen it before moving it.";

    /// <summary>Changing what the pipeline counts (amount, currency, probability, decision date, owner); its title and contact may still be corrected.</summary>
    public string? CannotChangeFigures() => IsOpen ? null : $"The opportunity is {Status}: reopen it before changing it.";

    /// <summary>Winning or losing it (again).</summary>
    public string? CannotClose() => IsOpen ? null : $"The opportunity is already {Status}.";

    public string? CannotReopen() => IsOpen ? "The opportunity is already open." : null;

    /// <summary>Drafting or sending a quote.</summary>
    public string? CannotQuote(string action) => IsOpen ? null : $"The opportunity is {Status}: quotes are {action} on open deals only.";

    /// <summary>The stage a reopened deal goes back to: the one it closed in, or the first one if that stage has been removed since.</summary>
    public Stage ReopenedIn(SalesPipeline pipeline) =>
        pipeline.OrderedStages.SingleOrDefault(s => s.Id == StageId) ?? pipeline.OrderedStages.First();
}

/// <summary>One immutable line of an opportunity's history: a stage move, a field change or an outcome.</summary>
public sealed class HistoryEntry : ITenantOwned
{
    public long Id { get; init; }

    public Guid OrganizationId { get; init; }

    public Guid OpportunityId { get; init; }

    public long Version { get; init; }

    /// <summary><c>stage</c>, <c>field</c> or <c>status</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The field changed (for <c>field</c>), <c>stage</c> or <c>status</c>.</summary>
    public required string Field { get; init; }

    public string? OldValue { get; init; }

    public string? NewValue { get; init; }

    public Guid? FromStageId { get; init; }

    public Guid? ToStageId { get; init; }

    /// <summary>For a stage move: time spent in the stage left.</summary>
    public TimeSpan? TimeInPreviousStage { get; init; }

    public string? ActorId { get; init; }

    public DateTimeOffset OccurredAt { get; init; }
}
