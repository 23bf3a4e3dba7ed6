using Microsoft.EntityFrameworkCore;
using Npgsql;
using Pipeline.Reporting.Domain;
using Pipeline.Reporting.Infrastructure;
using Pipeline.ServiceDefaults;

namespace Pipeline.Reporting.Apis;

/// <summary>
/// The reports of SPEC §5, computed with the KPI formulas of SPEC §6 from the read models, in the organisation's
/// currency at the dated rate. Each says how current it is (<c>asOf</c>: the time of the last event applied) and
/// answers CSV with <c>format=csv</c>. SQL runs as one batch per report.
/// </summary>
public static class ReportsApi
{
    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/api/reports").WithTags("Reports");
        reports.MapGet("/summary", SummaryAsync).WithSummary("Open, weighted, won and lost figures, conversion, win rate, sales cycle, velocity.");
        reports.MapGet("/funnel", FunnelAsync).WithSummary("Per stage: entered, advanced, conversion, drop-off, time in stage.");
        reports.MapGet("/forecast", ForecastAsync).WithSummary("The pipeline by expected decision date, month by month, and overdue.");
        reports.MapGet("/win-loss", WinLossAsync).WithSummary("Won, lost, win rate, deal size and cycle per segment, source, owner or team; lost reasons.");
        reports.MapGet("/stale", StaleAsync).WithSummary("Open deals idle longer than their stage's rotting days.");
        reports.MapGet("/slipped", SlippedAsync).WithSummary("Deals whose decision date was pushed, most pushed first.");
        return app;
    }

    private static async Task<IResult> SummaryAsync(
        [AsParameters] ReportQuery query, ReportContext reports, CancellationToken cancellationToken)
    {
        if (reports.Validate(query) is { } invalid)
        {
            return invalid;
        }

        var (filter, rates, asOf) = await reports.PrepareAsync(query, cancellationToken);
        await using var batch = new NpgsqlBatch(await reports.OpenAsync(cancellationToken));
        var open = Command(batch, filter, "SELECT currency, count(*), sum(amount), sum(amount * probability / 100.0) FROM deals d WHERE {0} AND status = 'open' AND created_at < @to GROUP BY currency");
        var closed = Command(batch, filter, "SELECT status, currency, (closed_at AT TIME ZONE 'UTC')::date, count(*), sum(amount) FROM deals d WHERE {0} AND status IN ('won', 'lost') AND closed_at >= @from AND closed_at < @to GROUP BY 1, 2, 3");
        var cycle = Command(batch, filter, "SELECT count(*), coalesce(avg(x), 0), coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY x), 0) FROM (SELECT extract(epoch FROM closed_at - created_at) / 86400.0 AS x FROM deals d WHERE {0} AND status = 'won' AND closed_at >= @from AND closed_at < @to) won");
        var cohort = Command(batch, filter, "SELECT count(*), count(*) FILTER (WHERE status = 'won') FROM deals d WHERE {0} AND created_at >= @from AND created_at < @to");
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);

        var today = DateOnly.FromDateTime(reports.Now.UtcDateTime);
        var byCurrency = new Dictionary<string, decimal[]>();
        decimal[] Figures(string currency) => byCurrency.TryGetValue(currency, out var f) ? f : byCurrency[currency] = new decimal[4];
        int openCount = 0, wonCount = 0, lostCount = 0;
        decimal openAmount = 0, weighted = 0, wonAmount = 0, lostAmount = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            var currency = reader.GetString(0).Trim();
            openCount += (int)reader.GetInt64(1);
            Figures(currency)[0] += reader.GetDecimal(2);
            Figures(currency)[1] += reader.GetDecimal(3);
            openAmount += rates.Convert(reader.GetDecimal(2), currency, today);
            weighted += rates.Convert(reader.GetDecimal(3), currency, today);
        }

        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var (status, currency, day, count, amount) = (reader.GetString(0), reader.GetString(1).Trim(), reader.GetFieldValue<DateOnly>(2), (int)reader.GetInt64(3), reader.GetDecimal(4));
            var converted = rates.Convert(amount, currency, day);
            if (status == "won")
            {
                wonCount += count;
                wonAmount += converted;
                Figures(currency)[2] += amount;
            }
            else
            {
                lostCount += count;
                lostAmount += converted;
                Figures(currency)[3] += amount;
            }
        }

        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var (averageCycle, medianCycle) = (reader.GetDouble(1), reader.GetDouble(2));
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var (created, wonOfCohort) = (reader.GetInt64(0), reader.GetInt64(1));

        var winRate = Ratio(wonCount, wonCount + lostCount);
        var averageWon = wonCount == 0 ? 0 : (double)wonAmount / wonCount;
        var velocity = averageCycle > 0 ? openCount * winRate * averageWon / averageCycle : 0;
        var report = new SummaryReport(
            rates.OrganizationCurrency, asOf, filter.From, filter.To, openCount, Round(openAmount), Round(weighted), wonCount, Round(wonAmount),
            lostCount, Round(lostAmount), Ratio(wonOfCohort, created), winRate, Math.Round(averageCycle, 4), Math.Round(medianCycle, 4),
            Math.Round(velocity, 4), (int)created,
            byCurrency.OrderBy(c => c.Key).Select(c => new CurrencyFigures(c.Key, Round(c.Value[0]), Round(c.Value[1]), Round(c.Value[2]), Round(c.Value[3]))).ToList(),
            rates.Missing.ToList());
        return query.Format == "csv" ? ReportCsv.Summary(report) : TypedResults.Ok(report);
    }

    private static async Task<IResult> FunnelAsync([AsParameters] ReportQuery query, ReportContext reports, CancellationToken cancellationToken)
    {
        if (reports.Validate(query) is { } invalid)
        {
            return invalid;
        }

        var (filter, _, asOf) = await reports.PrepareAsync(query, cancellationToken);
        var pipelineId = filter.PipelineId ?? await reports.DefaultPipelineAsync(cancellationToken);
        if (pipelineId is null)
        {
            return TypedResults.Ok(new FunnelReport(Guid.Empty, asOf, filter.From, filter.To, []));
        }

        filter = filter with { PipelineId = pipelineId };
        await using var batch = new NpgsqlBatch(await reports.OpenAsync(cancellationToken));
        var command = Command(batch, filter, """
            WITH cohort AS (
                SELECT d.opportunity_id, d.status FROM deals d WHERE {0} AND d.created_at >= @from AND d.created_at < @to),
            stages AS (
                SELECT stage_id, name, "order" FROM pipeline_stages WHERE organization_id = @org AND pipeline_id = @pipeline),
            stays AS (
                SELECT i.opportunity_id, i.stage_id, s."order", i.entered_at, i.exited_at, i.exit
                FROM stage_intervals i JOIN cohort c ON c.opportunity_id = i.opportunity_id JOIN stages s ON s.stage_id = i.stage_id
                WHERE i.organization_id = @org AND i.generation = @generation),
            per_stage AS (
                SELECT opportunity_id, stage_id, min("order") AS stage_order, min(entered_at) AS first_entered,
                       sum(extract(epoch FROM coalesce(exited_at, @now) - entered_at)) / 86400.0 AS days, bool_or(exit = 'lost') AS lost_here
                FROM stays GROUP BY opportunity_id, stage_id),
            reached_later AS (
                -- a join on the deal rather than a correlated EXISTS, which PostgreSQL ran once per stay (quadratic)
                SELECT DISTINCT p.opportunity_id, p.stage_id
                FROM per_stage p JOIN stays later ON later.opportunity_id = p.opportunity_id
                WHERE later."order" > p.stage_order AND later.entered_at >= p.first_entered)
            SELECT s.stage_id, s.name, s."order", count(p.opportunity_id),
                   count(*) FILTER (WHERE c.status = 'won' OR r.opportunity_id IS NOT NULL), count(*) FILTER (WHERE p.lost_here),
                   coalesce(avg(p.days), 0), coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY p.days), 0)
            FROM stages s
            LEFT JOIN per_stage p ON p.stage_id = s.stage_id
            LEFT JOIN cohort c ON c.opportunity_id = p.opportunity_id
            LEFT JOIN reached_later r ON r.opportunity_id = p.opportunity_id AND r.stage_id = p.stage_id
            GROUP BY s.stage_id, s.name, s."order"
            ORDER BY s."order"
            """);
        command.Parameters.AddWithValue("now", reports.Now);
        var stages = new List<FunnelStage>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var entered = (int)reader.GetInt64(3);
            var advanced = (int)reader.GetInt64(4);
            var lost = (int)reader.GetInt64(5);
            stages.Add(new FunnelStage(reader.GetGuid(0), reader.GetString(1), reader.GetInt32(2), entered, advanced, lost,
                Ratio(advanced, entered), Ratio(lost, entered), Math.Round(reader.GetDouble(6), 4), Math.Round(reader.GetDouble(7), 4)));
        }

        var report = new FunnelReport(pipelineId.Value, asOf, filter.From, filter.To, stages);
        return query.Format == "csv" ? ReportCsv.Funnel(report) : TypedResults.Ok(report);
    }

    private static async Task<IResult> ForecastAsync(
        [AsParameters] ReportQuery query, int? months, ReportContext reports, CancellationToken cancellationToken)
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

        var (filter, rates, asOf) = await reports.PrepareAsync(query, cancellationToken);
        var today = DateOnly.FromDateTime(reports.Now.UtcDateTime);
        var start = new DateOnly(today.Year, today.Month, 1);
        var end = start.AddMonths(span);
        await using var batch = new NpgsqlBatch(await reports.OpenAsync(cancellationToken));
        var open = Command(batch, filter, """
            SELECT CASE WHEN expected_decision_date IS NULL THEN 'undated' WHEN expected_decision_date < @start THEN 'overdue'
                        ELSE to_char(expected_decision_date, 'YYYY-MM') END,
                   currency, count(*), sum(amount), sum(amount * probability / 100.0)
            FROM deals d WHERE {0} AND status = 'open' AND (expected_decision_date IS NULL OR expected_decision_date < @end)
            GROUP BY 1, 2
            """);
        open.Parameters.AddWithValue("start", start);
        open.Parameters.AddWithValue("end", end);
        var won = Command(batch, filter, """
            SELECT to_char(closed_at AT TIME ZONE 'UTC', 'YYYY-MM'), currency, (closed_at AT TIME ZONE 'UTC')::date, sum(amount)
            FROM deals d WHERE {0} AND status = 'won' AND closed_at >= @start_at AND closed_at < @end_at GROUP BY 1, 2, 3
            """);
        won.Parameters.AddWithValue("start_at", new DateTimeOffset(start.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        won.Parameters.AddWithValue("end_at", new DateTimeOffset(end.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));

        var rows = new Dictionary<string, (int Count, decimal Open, decimal Weighted, decimal Won)>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var key = reader.GetString(0);
            var currency = reader.GetString(1);
            var row = rows.GetValueOrDefault(key);
            rows[key] = (row.Count + (int)reader.GetInt64(2), row.Open + rates.Convert(reader.GetDecimal(3), currency, today),
                row.Weighted + rates.Convert(reader.GetDecimal(4), currency, today), row.Won);
        }

        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var key = reader.GetString(0);
            var row = rows.GetValueOrDefault(key);
            rows[key] = row with { Won = row.Won + rates.Convert(reader.GetDecimal(3), reader.GetString(1), reader.GetFieldValue<DateOnly>(2)) };
        }

        ForecastMonth Month(string key) => rows.TryGetValue(key, out var r)
            ? new ForecastMonth(key, r.Count, Round(r.Open), Round(r.Weighted), Round(r.Won))
            : new ForecastMonth(key, 0, 0, 0, 0);
        var report = new ForecastReport(
            rates.OrganizationCurrency, asOf, Enumerable.Range(0, span).Select(i => Month(start.AddMonths(i).ToString("yyyy-MM"))).ToList(),
            Month("overdue"), Month("undated"), rates.Missing.ToList());
        return query.Format == "csv" ? ReportCsv.Forecast(report) : TypedResults.Ok(report);
    }

    private static async Task<IResult> WinLossAsync(
        [AsParameters] ReportQuery query, string? groupBy, ReportContext reports, CancellationToken cancellationToken)
    {
        if (reports.Validate(query) is { } invalid)
        {
            return invalid;
        }

        var column = (groupBy ?? "segment") switch
        {
            "segment" => "segment",
            "source" => "source",
            "owner" => "owner_id",
            "team" => "team_id::text",
            _ => null,
        };
        if (column is null)
        {
            return Problems.Invalid("groupBy", "Group by segment, source, owner or team.");
        }

        var (filter, rates, asOf) = await reports.PrepareAsync(query, cancellationToken);
        await using var batch = new NpgsqlBatch(await reports.OpenAsync(cancellationToken));
        Command(batch, filter, $$"""
            SELECT coalesce({{column}}, '(none)'), status, currency, (closed_at AT TIME ZONE 'UTC')::date, count(*), sum(amount),
                   sum(extract(epoch FROM closed_at - created_at) / 86400.0)
            FROM deals d WHERE {0} AND status IN ('won', 'lost') AND closed_at >= @from AND closed_at < @to
            GROUP BY 1, 2, 3, 4
            """);
        Command(batch, filter, """
            SELECT coalesce(nullif(lost_reason, ''), '(none)'), count(*) FROM deals d
            WHERE {0} AND status = 'lost' AND closed_at >= @from AND closed_at < @to GROUP BY 1 ORDER BY 2 DESC, 1
            """);
        var groups = new Dictionary<string, (int Won, int Lost, decimal WonAmount, double CycleDays)>();
        var reasons = new List<LostReason>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var key = reader.GetString(0);
            var group = groups.GetValueOrDefault(key);
            var count = (int)reader.GetInt64(4);
            groups[key] = reader.GetString(1) == "won"
                ? (group.Won + count, group.Lost, group.WonAmount + rates.Convert(reader.GetDecimal(5), reader.GetString(2), reader.GetFieldValue<DateOnly>(3)), group.CycleDays + reader.GetDouble(6))
                : group with { Lost = group.Lost + count };
        }

        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            reasons.Add(new LostReason(reader.GetString(0), (int)reader.GetInt64(1)));
        }

        var report = new WinLossReport(
            groupBy ?? "segment", rates.OrganizationCurrency, asOf, filter.From, filter.To,
            groups.OrderBy(g => g.Key).Select(g => new WinLossGroup(
                g.Key, g.Value.Won, g.Value.Lost, Ratio(g.Value.Won, g.Value.Won + g.Value.Lost), Round(g.Value.WonAmount),
                g.Value.Won == 0 ? 0 : Round(g.Value.WonAmount / g.Value.Won), g.Value.Won == 0 ? 0 : Math.Round(g.Value.CycleDays / g.Value.Won, 4))).ToList(),
            reasons, rates.Missing.ToList());
        return query.Format == "csv" ? ReportCsv.WinLoss(report) : TypedResults.Ok(report);
    }

    private static async Task<IResult> StaleAsync(
        [AsParameters] ReportQuery query, string? cursor, int? limit, ReportContext reports, CancellationToken cancellationToken)
    {
        if ((reports.Validate(query) ?? reports.ValidatePage(cursor, limit)) is { } invalid)
        {
            return invalid;
        }

        var (filter, _, asOf) = await reports.PrepareAsync(query, cancellationToken);
        var (offset, size) = ReportContext.Page(cursor, limit);
        await using var batch = new NpgsqlBatch(await reports.OpenAsync(cancellationToken));
        var command = Command(batch, filter, """
            SELECT d.opportunity_id, d.title, d.owner_id, d.stage_id, s.name, d.amount, d.currency, d.last_touched_at,
                   floor(extract(epoch FROM @now - d.last_touched_at) / 86400)::int, s.rotting_days
            FROM deals d JOIN pipeline_stages s ON s.organization_id = d.organization_id AND s.stage_id = d.stage_id
            WHERE {0} AND d.status = 'open' AND d.last_touched_at < @now - make_interval(days => s.rotting_days)
            ORDER BY d.last_touched_at, d.opportunity_id OFFSET @offset LIMIT @limit
            """);
        command.Parameters.AddWithValue("now", reports.Now);
        command.Parameters.AddWithValue("offset", offset);
        command.Parameters.AddWithValue("limit", size + 1);
        var items = new List<StaleDeal>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new StaleDeal(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetGuid(3), reader.GetString(4),
                reader.GetDecimal(5), reader.GetString(6).Trim(), reader.GetFieldValue<DateTimeOffset>(7), reader.GetInt32(8), reader.GetInt32(9)));
        }

        var page = new ReportPage<StaleDeal>(asOf, items.Take(size).ToList(), items.Count > size ? (offset + size).ToString() : null);
        return query.Format == "csv" ? ReportCsv.Rows(page.Items, "stale") : TypedResults.Ok(page);
    }

    private static async Task<IResult> SlippedAsync(
        [AsParameters] ReportQuery query, string? cursor, int? limit, ReportContext reports, CancellationToken cancellationToken)
    {
        if ((reports.Validate(query) ?? reports.ValidatePage(cursor, limit)) is { } invalid)
        {
            return invalid;
        }

        var (filter, _, asOf) = await reports.PrepareAsync(query, cancellationToken);
        var (offset, size) = ReportContext.Page(cursor, limit);
        await using var batch = new NpgsqlBatch(await reports.OpenAsync(cancellationToken));
        var command = Command(batch, filter, """
            SELECT d.opportunity_id, d.title, d.owner_id, d.status, d.expected_decision_date, d.push_count, d.pushed_days, d.amount, d.currency
            FROM deals d WHERE {0} AND d.push_count > 0
            ORDER BY d.push_count DESC, d.pushed_days DESC, d.opportunity_id OFFSET @offset LIMIT @limit
            """);
        command.Parameters.AddWithValue("offset", offset);
        command.Parameters.AddWithValue("limit", size + 1);
        var items = new List<SlippedDeal>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new SlippedDeal(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateOnly>(4), reader.GetInt32(5), reader.GetInt32(6), reader.GetDecimal(7), reader.GetString(8).Trim()));
        }

        var page = new ReportPage<SlippedDeal>(asOf, items.Take(size).ToList(), items.Count > size ? (offset + size).ToString() : null);
        return query.Format == "csv" ? ReportCsv.Rows(page.Items, "slipped") : TypedResults.Ok(page);
    }

    private static NpgsqlBatchCommand Command(NpgsqlBatch batch, ReportFilter filter, string sql)
    {
        var command = new NpgsqlBatchCommand();
        command.CommandText = string.Format(sql, filter.Condition(command));
        batch.BatchCommands.Add(command);
        return command;
    }

    private static double Ratio(long part, long whole) => whole == 0 ? 0 : Math.Round((double)part / whole, 6);

    private static decimal Round(decimal amount) => Math.Round(amount, 2);
}
