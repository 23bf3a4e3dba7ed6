namespace Pipeline.Reporting.Domain;

/// <summary>Open deals of one currency: how many, their amount and weighted amount (amount × probability).</summary>
public sealed record OpenFigures(string Currency, long Deals, decimal Amount, decimal Weighted);

/// <summary>Deals won or lost (<see cref="Status"/>) on one day in one currency, and the days their sales cycles took in all.</summary>
public sealed record ClosedFigures(string Status, string Currency, DateOnly Day, long Deals, decimal Amount, long CycleDays);

/// <summary>How many of something took each number of days (a sales cycle, a time in stage), in ascending days.</summary>
public sealed record DaysHistogram(IReadOnlyList<(int Days, long Count)> Counts);

/// <summary>The cohort of a period: deals created in it, and how many of those were won.</summary>
public sealed record Cohort(long Created, long Won);

/// <summary>
/// A stage of a pipeline for the deals created in the period: entered, advanced (a later stage, or won), lost there,
/// the days of those out of the stage, and how many are still in it and since which days in all (days since 1970-01-01).
/// </summary>
public sealed record StageFigures(Guid StageId, string Name, int Order, long Entered, long Advanced, long Lost, long DaysOut, long StillIn, long StillInSince);

/// <summary>Open deals by expected decision month (<c>yyyy-MM</c>, <c>overdue</c> or <c>undated</c>) in one currency.</summary>
public sealed record DueFigures(string Month, string Currency, long Deals, decimal Amount, decimal Weighted);

/// <summary>Won or lost deals of one group (segment, source, owner or team) on one day in one currency.</summary>
public sealed record GroupFigures(string Key, ClosedFigures Closed);

public sealed record LostReason(string Reason, int Count);

/// <summary>Won deals whose sales cycle took from <see cref="FromDays"/> to <see cref="ToDays"/> days, both included (no end: or more).</summary>
public sealed record CycleBucket(int FromDays, int? ToDays, int Deals);

public sealed record StaleDeal(
    Guid OpportunityId, string Title, string OwnerId, Guid StageId, string StageName, decimal Amount, string Currency,
    DateTimeOffset LastTouchedAt, int DaysIdle, int RottingDays);

public sealed record SlippedDeal(
    Guid OpportunityId, string Title, string OwnerId, string Status, DateOnly? ExpectedDecisionDate, int PushCount, int PushedDays,
    decimal Amount, string Currency);

/// <summary>A deal behind a report's figure (<see cref="DealFigure"/>); <see cref="CycleDays"/>: its sales cycle, if won.</summary>
public sealed record FigureDeal(
    Guid OpportunityId, string Title, string OwnerId, Guid PipelineId, Guid StageId, string StageName, string Status, decimal Amount,
    string Currency, DateTimeOffset CreatedAt, DateTimeOffset? ClosedAt, int? CycleDays);

/// <summary>
/// The figures whose deals <c>GET /api/reports/deals</c> lists, each the deals a report counts in it: created in the
/// period (the cohort of the conversion rate), won, lost, or either (the win rate) in the period, and those of the
/// cohort that entered a stage (the funnel's entered).
/// </summary>
public static class DealFigure
{
    public const string Created = "created";
    public const string Won = "won";
    public const string Lost = "lost";
    public const string Closed = "closed";
    public const string Entered = "entered";

    public static readonly IReadOnlyList<string> All = [Created, Won, Lost, Closed, Entered];
}

/// <summary>
/// Which deals to list: those behind <see cref="Figure"/>; for <c>entered</c>, of the stage <see cref="StageId"/>;
/// for <c>won</c>, optionally only those whose cycle took from <see cref="CycleFrom"/> to <see cref="CycleTo"/> days.
/// </summary>
public sealed record DealsBehind(string Figure, Guid? StageId = null, int? CycleFrom = null, int? CycleTo = null);
