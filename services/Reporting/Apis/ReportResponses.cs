using Pipeline.Reporting.Domain;

namespace Pipeline.Reporting.Apis;

public sealed record CurrencyFigures(string Currency, decimal OpenAmount, decimal WeightedAmount, decimal WonAmount, decimal LostAmount);

/// <summary>
/// The summary. An amount figure (and the velocity computed from the won amount) is null when there were amounts
/// behind it and none converted into <see cref="Currency"/>; <see cref="IncompleteFigures"/> names the figures that
/// leave amounts out, and <see cref="LeftOut"/> says which, per currency (<see cref="MissingRates"/>: those currencies).
/// <see cref="CycleDistribution"/> counts the won deals by sales cycle in fixed buckets of days (<see cref="Kpis.CycleDistribution"/>).
/// </summary>
public sealed record SummaryReport(
    string Currency, DateTimeOffset? AsOf, DateTimeOffset From, DateTimeOffset To,
    int OpenCount, decimal? OpenAmount, decimal? WeightedAmount, int WonCount, decimal? WonAmount, int LostCount, decimal? LostAmount,
    double ConversionRate, double WinRate, double AverageSalesCycleDays, double MedianSalesCycleDays, double? SalesVelocityPerDay,
    int CreatedCount, IReadOnlyList<CurrencyFigures> ByCurrency, IReadOnlyList<string> MissingRates,
    IReadOnlyList<string> IncompleteFigures, IReadOnlyList<LeftOutAmounts> LeftOut, IReadOnlyList<CycleBucket> CycleDistribution);

public sealed record FunnelStage(
    Guid StageId, string Name, int Order, int Entered, int Advanced, int Lost, double ConversionRate, double DropOffRate,
    double AverageDaysInStage, double MedianDaysInStage);

public sealed record FunnelReport(Guid PipelineId, DateTimeOffset? AsOf, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<FunnelStage> Stages);

/// <summary>A month of the forecast; amounts as in the summary (null when none converted, <see cref="IncompleteFigures"/> when some did not).</summary>
public sealed record ForecastMonth(
    string Month, int Count, decimal? OpenAmount, decimal? WeightedAmount, decimal? WonAmount, IReadOnlyList<string> IncompleteFigures);

public sealed record ForecastReport(
    string Currency, DateTimeOffset? AsOf, IReadOnlyList<ForecastMonth> Months, ForecastMonth Overdue, ForecastMonth Undated,
    IReadOnlyList<string> MissingRates, IReadOnlyList<LeftOutAmounts> LeftOut);

public sealed record WinLossGroup(
    string Key, int Won, int Lost, double WinRate, decimal? WonAmount, decimal? AverageDealSize, double AverageCycleDays, IReadOnlyList<string> IncompleteFigures);

public sealed record WinLossReport(
    string GroupBy, string Currency, DateTimeOffset? AsOf, DateTimeOffset From, DateTimeOffset To,
    IReadOnlyList<WinLossGroup> Groups, IReadOnlyList<LostReason> LostReasons, IReadOnlyList<string> MissingRates, IReadOnlyList<LeftOutAmounts> LeftOut);

public sealed record ReportPage<T>(DateTimeOffset? AsOf, IReadOnlyList<T> Items, string? NextCursor);
