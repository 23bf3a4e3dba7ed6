using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
using Pipeline.Reporting.Domain;

namespace Pipeline.Reporting.Apis;

/// <summary>
/// Reports as CSV (<c>format=csv</c>), for a spreadsheet: one header line with the JSON names, one line per row
/// (CsvHelper: invariant numbers, ISO 8601 dates, quoted where needed; an amount nothing converted into is empty).
/// The per-currency figures and what was left out for want of a rate are in the JSON answer only: a row per
/// report, or per stage, month, group or deal, is what a spreadsheet sums.
/// </summary>
internal static class ReportCsv
{
    private static readonly CsvWriterOptions Options = CsvWriterOptions.Default with { NewLine = "\n" };

    public static FileContentHttpResult Summary(SummaryReport report) => File("summary", [report],
        ("currency", r => r.Currency), ("asOf", r => r.AsOf), ("from", r => r.From), ("to", r => r.To),
        ("openCount", r => r.OpenCount), ("openAmount", r => r.OpenAmount), ("weightedAmount", r => r.WeightedAmount),
        ("wonCount", r => r.WonCount), ("wonAmount", r => r.WonAmount), ("lostCount", r => r.LostCount), ("lostAmount", r => r.LostAmount),
        ("conversionRate", r => r.ConversionRate), ("winRate", r => r.WinRate), ("averageSalesCycleDays", r => r.AverageSalesCycleDays),
        ("medianSalesCycleDays", r => r.MedianSalesCycleDays), ("salesVelocityPerDay", r => r.SalesVelocityPerDay), ("createdCount", r => r.CreatedCount));

    public static FileContentHttpResult Funnel(FunnelReport report) => File("funnel", report.Stages,
        ("stageId", s => s.StageId), ("name", s => s.Name), ("order", s => s.Order), ("entered", s => s.Entered), ("advanced", s => s.Advanced),
        ("lost", s => s.Lost), ("conversionRate", s => s.ConversionRate), ("dropOffRate", s => s.DropOffRate),
        ("averageDaysInStage", s => s.AverageDaysInStage), ("medianDaysInStage", s => s.MedianDaysInStage));

    public static FileContentHttpResult Forecast(ForecastReport report) => File("forecast", [.. report.Months, report.Overdue, report.Undated],
        ("month", m => m.Month), ("count", m => m.Count), ("openAmount", m => m.OpenAmount), ("weightedAmount", m => m.WeightedAmount),
        ("wonAmount", m => m.WonAmount));

    public static FileContentHttpResult WinLoss(WinLossReport report) => File($"win-loss-{report.GroupBy}", report.Groups,
        ("key", g => g.Key), ("won", g => g.Won), ("lost", g => g.Lost), ("winRate", g => g.WinRate), ("wonAmount", g => g.WonAmount),
        ("averageDealSize", g => g.AverageDealSize), ("averageCycleDays", g => g.AverageCycleDays));

    public static FileContentHttpResult Stale(IReadOnlyList<StaleDeal> deals) => File("stale", deals,
        ("opportunityId", d => d.OpportunityId), ("title", d => d.Title), ("ownerId", d => d.OwnerId), ("stageId", d => d.StageId),
        ("stageName", d => d.StageName), ("amount", d => d.Amount), ("currency", d => d.Currency), ("lastTouchedAt", d => d.LastTouchedAt),
        ("daysIdle", d => d.DaysIdle), ("rottingDays", d => d.RottingDays));

    public static FileContentHttpResult Slipped(IReadOnlyList<SlippedDeal> deals) => File("slipped", deals,
        ("opportunityId", d => d.OpportunityId), ("title", d => d.Title), ("ownerId", d => d.OwnerId), ("status", d => d.Status),
        ("expectedDecisionDate", d => d.ExpectedDecisionDate), ("pushCount", d => d.PushCount), ("pushedDays", d => d.PushedDays),
        ("amount", d => d.Amount), ("currency", d => d.Currency));

    public static FileContentHttpResult FigureDeals(string figure, IReadOnlyList<FigureDeal> deals) => File($"deals-{figure}", deals,
        ("opportunityId", d => d.OpportunityId), ("title", d => d.Title), ("ownerId", d => d.OwnerId), ("pipelineId", d => d.PipelineId),
        ("stageId", d => d.StageId), ("stageName", d => d.StageName), ("status", d => d.Status), ("amount", d => d.Amount),
        ("currency", d => d.Currency), ("createdAt", d => d.CreatedAt), ("closedAt", d => d.ClosedAt), ("cycleDays", d => d.CycleDays));

    /// <summary>The page's changed deals, a line per change; the totals are in the JSON answer.</summary>
    public static FileContentHttpResult Changes(ChangesReport report) => File("changes",
        report.Items.SelectMany(d => d.Changes.Select(c => (Deal: d, Change: c))).ToList(),
        ("opportunityId", r => r.Deal.OpportunityId), ("title", r => r.Deal.Title), ("ownerId", r => r.Deal.OwnerId), ("kind", r => r.Change.Kind),
        ("from", r => r.Change.From), ("to", r => r.Change.To), ("currency", r => r.Change.Currency), ("at", r => r.Change.At));

    private static FileContentHttpResult File<T>(string name, IReadOnlyList<T> rows, params (string Name, Func<T, object?> Value)[] columns)
    {
        using var body = new MemoryStream();
        using (var csv = CsvWriter.Create(body, Options, leaveOpen: true))
        {
            csv.WriteHeader(columns.Select(c => c.Name).ToArray());
            foreach (var row in rows)
            {
                foreach (var column in columns)
                {
                    csv.WriteField(column.Value(row));
                }

                csv.EndRecord();
            }
        }

        return TypedResults.File(body.ToArray(), "text/csv; charset=utf-8", $"{name}.csv");
    }
}
