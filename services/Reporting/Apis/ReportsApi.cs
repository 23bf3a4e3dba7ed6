using Microsoft.AspNetCore.Http.HttpResults;
using Pipeline.Reporting.Domain;
using Pipeline.Reporting.Infrastructure.Queries;

namespace Pipeline.Reporting.Apis;

/// <summary>
/// The reports of SPEC §5, computed with the KPI formulas of SPEC §6 (<see cref="Kpis"/>) from the figures the read
/// models hold (<see cref="ReportQueries"/>), in the organisation's currency at the dated rate. Each says how
/// current it is (<c>asOf</c>: the time of the last event applied) and answers CSV with <c>format=csv</c>.
/// </summary>
public static class ReportsApi
{
    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/api/reports").WithTags("Reports").ProducesProblem(StatusCodes.Status401Unauthorized);
        reports.MapGet("/summary", SummaryAsync).WithName("GetSummary").WithSummary("Open, weighted, won and lost figures, conversion, win rate, sales cycle, velocity.");
        reports.MapGet("/funnel", FunnelAsync).WithName("GetFunnel").WithSummary("Per stage: entered, advanced, conversion, drop-off, time in stage.");
        reports.MapGet("/forecast", ForecastAsync).WithName("GetForecast").WithSummary("The pipeline by expected decision date, month by month, and overdue.");
        reports.MapGet("/win-loss", WinLossAsync).WithName("GetWinLoss").WithSummary("Won, lost, win rate, deal size and cycle per segment, source, owner or team; lost reasons.");
        reports.MapGet("/stale", StaleAsync).WithName("ListStaleDeals").WithSummary("Open deals idle longer than their stage's rotting days.");
        reports.MapGet("/slipped", SlippedAsync).WithName("ListSlippedDeals").WithSummary("Deals whose decision date was pushed, most pushed first.");
        return app;
    }

    private static async Task<Results<Ok<SummaryReport>, FileContentHttpResult, ValidationProblem>> SummaryAsync(
        [AsParameters] ReportQuery query, ReportContext reports, ReportQueries queries, CancellationToken cancellationToken)
    {
        if (reports.Validate(query) is { } invalid)
        {
            return invalid;
        }

        var (filter, money, zone, today, asOf) = await reports.PrepareAsync(query, cancellationToken);
        var figures = await queries.SummaryAsync(filter, new RollupPeriod(filter.FromDay, filter.ToDay, money.MonthsWithRateChanges), zone, cancellationToken);

        var byCurrency = new SortedDictionary<string, decimal[]>(StringComparer.Ordinal);
        decimal[] Of(string currency) => byCurrency.TryGetValue(currency, out var f) ? f : byCurrency[currency] = new decimal[4];
        long openCount = 0, wonCount = 0, lostCount = 0, cycleDays = 0;
        ConvertedTotal openAmount = new(), weighted = new(), wonAmount = new(), lostAmount = new();
        foreach (var open in figures.Open)
        {
            openCount += open.Deals;
            Of(open.Currency)[0] += open.Amount;
            Of(open.Currency)[1] += open.Weighted;
            openAmount.Add(money.Convert(open.Amount, open.Currency, today, AmountFigure.Open));
            weighted.Add(money.Convert(open.Weighted, open.Currency, today, AmountFigure.Weighted));
        }

        foreach (var closed in figures.Closed)
        {
            if (closed.Status == "won")
            {
                (wonCount, cycleDays) = (wonCount + closed.Deals, cycleDays + closed.CycleDays);
                wonAmount.Add(money.Convert(closed.Amount, closed.Currency, closed.Day, AmountFigure.Won));
                Of(closed.Currency)[2] += closed.Amount;
            }
            else
            {
                lostCount += closed.Deals;
                lostAmount.Add(money.Convert(closed.Amount, closed.Currency, closed.Day, AmountFigure.Lost));
                Of(closed.Currency)[3] += closed.Amount;
            }
        }

        var winRate = Kpis.Ratio(wonCount, wonCount + lostCount);
        var incomplete = new[] { ("openAmount", openAmount), ("weightedAmount", weighted), ("wonAmount", wonAmount), ("lostAmount", lostAmount) }
            .Where(f => f.Item2.Incomplete).Select(f => f.Item1).ToList();
        if (wonAmount.Incomplete)
        {
            incomplete.Add("salesVelocityPerDay");
        }

        var report = new SummaryReport(
            money.Currency, asOf, filter.From, filter.To, (int)openCount, openAmount.Value, weighted.Value, (int)wonCount,
            wonAmount.Value, (int)lostCount, lostAmount.Value, Kpis.Ratio(figures.Cohort.Won, figures.Cohort.Created), winRate,
            Kpis.AverageDays(cycleDays, wonCount), Math.Round(Kpis.Median(figures.Cycles), 4),
            wonAmount.Value is null ? null : Kpis.SalesVelocityPerDay(openCount, winRate, wonAmount.Sum, wonCount, cycleDays), (int)figures.Cohort.Created,
            byCurrency.Select(c => new CurrencyFigures(c.Key, Kpis.Round(c.Value[0]), Kpis.Round(c.Value[1]), Kpis.Round(c.Value[2]), Kpis.Round(c.Value[3]))).ToList(),
            money.Missing, incomplete, money.LeftOut, Kpis.CycleDistribution(figures.Cycles));
        return query.Format == "csv" ? ReportCsv.Summary(report) : TypedResults.Ok(report);
    }

    private static async Task<Results<Ok<FunnelReport>, FileContentHttpResult, ValidationProblem>> FunnelAsync(
        [AsParameters] ReportQuery query, ReportContext reports, ReportQueries queries, CancellationToken cancellationToken)
    {
        if (reports.Validate(query) is { } invalid)
        {
            return invalid;
        }

        var (filter, _, _, today, asOf) = await reports.PrepareAsync(query, cancellationToken);
        var pipelineId = filter.PipelineId ?? await reports.DefaultPipelineAsync(cancellationToken);
        if (pipelineId is null)
        {
            return TypedResults.Ok(new FunnelReport(Guid.Empty, asOf, filter.From, filter.To, []));
        }

        var figures = await queries.FunnelAsync(filter with { PipelineId = pipelineId }, today, cancellationToken);
        var funnel = figures.Stages.Select(s => new FunnelStage(
            s.StageId, s.Name, s.Order, (int)s.Entered, (int)s.Advanced, (int)s.Lost, Kpis.Ratio(s.Advanced, s.Entered), Kpis.Ratio(s.Lost, s.Entered),
            Kpis.AverageDays(Kpis.DaysInStage(s, today), s.Entered),
            Kpis.Median(figures.DaysInStage.GetValueOrDefault(s.StageId) ?? new DaysHistogram([])))).ToList();
        var report = new FunnelReport(pipelineId.Value, asOf, filter.From, filter.To, funnel);
        return query.Format == "csv" ? ReportCsv.Funnel(report) : TypedResults.Ok(report);
    }

    private static async Task<Results<Ok<ForecastReport>, FileContentHttpResult, ValidationProblem>> ForecastAsync(
        [AsParameters] ReportQuery query, int? months, ReportContext reports, ReportQueries queries, CancellationToken cancellationToken)
    {
        if (reports.Validate(query) is { } invalid)
        {
            return invalid;
        }

        var span = months ?? 12;
        if (span is < 1 or > 36)
        {
            return Problems.Invalid("months", "From 1 to 36 months.");
        }

        var (filter, money, _, today, asOf) = await reports.PrepareAsync(query, cancellationToken);
        var start = new DateOnly(today.Year, today.Month, 1);
        var figures = await queries.ForecastAsync(filter, start, start.AddMonths(span), money.MonthsWithRateChanges, cancellationToken);

        var rows = new Dictionary<string, (long Count, ConvertedTotal Open, ConvertedTotal Weighted, ConvertedTotal Won)>();
        (long Count, ConvertedTotal Open, ConvertedTotal Weighted, ConvertedTotal Won) Row(string month) =>
            rows.TryGetValue(month, out var row) ? row : rows[month] = (0, new(), new(), new());
        foreach (var due in figures.Due)
        {
            var row = Row(due.Month);
            row.Open.Add(money.Convert(due.Amount, due.Currency, today, AmountFigure.Open));
            row.Weighted.Add(money.Convert(due.Weighted, due.Currency, today, AmountFigure.Weighted));
            rows[due.Month] = row with { Count = row.Count + due.Deals };
        }

        foreach (var (month, won) in figures.Won)
        {
            Row(month).Won.Add(money.Convert(won.Amount, won.Currency, won.Day, AmountFigure.Won));
        }

        ForecastMonth Month(string key) => rows.TryGetValue(key, out var r)
            ? new ForecastMonth(key, (int)r.Count, r.Open.Value, r.Weighted.Value, r.Won.Value,
                new[] { ("openAmount", r.Open), ("weightedAmount", r.Weighted), ("wonAmount", r.Won) }.Where(f => f.Item2.Incomplete).Select(f => f.Item1).ToList())
            : new ForecastMonth(key, 0, 0, 0, 0, []);
        var report = new ForecastReport(
            money.Currency, asOf, Enumerable.Range(0, span).Select(i => Month(start.AddMonths(i).ToString("yyyy-MM"))).ToList(),
            Month("overdue"), Month("undated"), money.Missing, money.LeftOut);
        return query.Format == "csv" ? ReportCsv.Forecast(report) : TypedResults.Ok(report);
    }

    private static async Task<Results<Ok<WinLossReport>, FileContentHttpResult, ValidationProblem>> WinLossAsync(
        [AsParameters] ReportQuery query, string? groupBy, ReportContext reports, ReportQueries queries, CancellationToken cancellationToken)
    {
        if (reports.Validate(query) is { } invalid)
        {
            return invalid;
        }

        groupBy ??= "segment";
        if (groupBy is not ("segment" or "source" or "owner" or "team"))
        {
            return Problems.Invalid("groupBy", "Group by segment, source, owner or team.");
        }

        var (filter, money, _, _, asOf) = await reports.PrepareAsync(query, cancellationToken);
        var figures = await queries.WinLossAsync(filter, new RollupPeriod(filter.FromDay, filter.ToDay, money.MonthsWithRateChanges), groupBy, cancellationToken);
        var groups = new SortedDictionary<string, (long Won, long Lost, ConvertedTotal WonAmount, long CycleDays)>();
        foreach (var (key, closed) in figures.Groups)
        {
            var group = groups.TryGetValue(key, out var g) ? g : groups[key] = (0, 0, new(), 0);
            if (closed.Status == "won")
            {
                group.WonAmount.Add(money.Convert(closed.Amount, closed.Currency, closed.Day, AmountFigure.Won));
                groups[key] = group with { Won = group.Won + closed.Deals, CycleDays = group.CycleDays + closed.CycleDays };
            }
            else
            {
                groups[key] = group with { Lost = group.Lost + closed.Deals };
            }
        }

        var report = new WinLossReport(
            groupBy, money.Currency, asOf, filter.From, filter.To,
            groups.Select(g => new WinLossGroup(
                g.Key, (int)g.Value.Won, (int)g.Value.Lost, Kpis.Ratio(g.Value.Won, g.Value.Won + g.Value.Lost), g.Value.WonAmount.Value,
                g.Value.Won == 0 ? 0 : g.Value.WonAmount.Value is null ? null : Kpis.Round(g.Value.WonAmount.Sum / g.Value.Won),
                Kpis.AverageDays(g.Value.CycleDays, g.Value.Won),
                g.Value.WonAmount.Incomplete ? ["wonAmount", "averageDealSize"] : [])).ToList(),
            figures.LostReasons.OrderByDescending(r => r.Count).ThenBy(r => r.Reason, StringComparer.Ordinal).ToList(), money.Missing, money.LeftOut);
        return query.Format == "csv" ? ReportCsv.WinLoss(report) : TypedResults.Ok(report);
    }

    private static async Task<Results<Ok<ReportPage<StaleDeal>>, FileContentHttpResult, ValidationProblem>> StaleAsync(
        [AsParameters] ReportQuery query, string? cursor, int? limit, ReportContext reports, ReportQueries queries, CancellationToken cancellationToken)
    {
        if ((reports.Validate(query) ?? reports.ValidatePage(cursor, limit)) is { } invalid)
        {
            return invalid;
        }

        var (filter, _, zone, today, asOf) = await reports.PrepareAsync(query, cancellationToken);
        var (offset, size) = ReportContext.Page(cursor, limit);
        var items = await queries.StaleAsync(filter, today, zone, offset, size + 1, cancellationToken);
        var page = new ReportPage<StaleDeal>(asOf, items.Take(size).ToList(), items.Count > size ? (offset + size).ToString() : null);
        return query.Format == "csv" ? ReportCsv.Stale(page.Items) : TypedResults.Ok(page);
    }

    private static async Task<Results<Ok<ReportPage<SlippedDeal>>, FileContentHttpResult, ValidationProblem>> SlippedAsync(
        [AsParameters] ReportQuery query, string? cursor, int? limit, ReportContext reports, ReportQueries queries, CancellationToken cancellationToken)
    {
        if ((reports.Validate(query) ?? reports.ValidatePage(cursor, limit)) is { } invalid)
        {
            return invalid;
        }

        var (filter, _, _, _, asOf) = await reports.PrepareAsync(query, cancellationToken);
        var (offset, size) = ReportContext.Page(cursor, limit);
        var items = await queries.SlippedAsync(filter, offset, size + 1, cancellationToken);
        var page = new ReportPage<SlippedDeal>(asOf, items.Take(size).ToList(), items.Count > size ? (offset + size).ToString() : null);
        return query.Format == "csv" ? ReportCsv.Slipped(page.Items) : TypedResults.Ok(page);
    }
}
