using Microsoft.EntityFrameworkCore;
using Npgsql;
using Pipeline.Reporting.Domain;
using Pipeline.Reporting.Infrastructure;
using Pipeline.ServiceDefaults;

namespace Pipeline.Reporting.Apis;

/// <summary>
/// The reports of SPEC §5, computed with the KPI formulas of SPEC §6 from the read models, in the organisation's
/// currency at the dated rate. Each says how current it is (<c>asOf</c>: the time of the last event applied) and
/// answers CSV with <c>format=csv</c>. SQL runs as one batch per report. Summary, forecast and win/loss read the
/// rollups PostgreSQL keeps of the deals (<c>deal_rollups</c>, see Infrastructure/Sql/Functions/deal_rollup_changes.sql), the funnel those of
/// the deals' paths through the stages (<c>stage_rollups</c>, see stage_rollup_changes.sql); stale and slipped read
/// the deals.
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
        var period = new RollupPeriod(filter.FromDay, filter.ToDay, rates.MonthsWithRateChanges);
        await using var batch = new NpgsqlBatch(await reports.OpenAsync(cancellationToken));
        Rollups(batch, filter, period with { From = null }, """
            SELECT currency, sum(sign * deals)::bigint, sum(sign * amount), sum(sign * weighted) FROM {0} WHERE measure = 'open' GROUP BY currency HAVING sum(sign * deals) <> 0
            """);
        Rollups(batch, filter, period, """
            SELECT measure, currency, day, sum(sign * deals)::bigint, sum(sign * amount), sum(sign * cycle_days_sum)::bigint
            FROM {0} WHERE measure IN ('won', 'lost') GROUP BY 1, 2, 3 HAVING sum(sign * deals) <> 0
            """);
        CycleHistogram(batch, filter, period);
        Rollups(batch, filter, period, "SELECT coalesce(sum(sign * deals), 0)::bigint, coalesce(sum(sign * won), 0)::bigint FROM {0} WHERE measure = 'created'");
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);

        var today = DateOnly.FromDateTime(reports.Now.UtcDateTime);
        var byCurrency = new Dictionary<string, decimal[]>();
        decimal[] Figures(string currency) => byCurrency.TryGetValue(currency, out var f) ? f : byCurrency[currency] = new decimal[4];
        int openCount = 0, wonCount = 0, lostCount = 0;
        long cycleDays = 0;
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
                cycleDays += reader.GetInt64(5);
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
        var medianCycle = await MedianAsync(reader, cancellationToken);
        var averageCycle = wonCount == 0 ? 0 : (double)cycleDays / wonCount;
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
        var today = DateOnly.FromDateTime(reports.Now.UtcDateTime);
        var period = new RollupPeriod(filter.FromDay, filter.ToDay, []);
        await using var batch = new NpgsqlBatch(await reports.OpenAsync(cancellationToken));
        Rollups(batch, filter, period, """
            SELECT s.stage_id, s.name, s."order", coalesce(t.entered, 0), coalesce(t.advanced, 0), coalesce(t.lost, 0),
                   coalesce(t.days_sum, 0), coalesce(t.in_stage, 0), coalesce(t.in_since_sum, 0)
            FROM pipeline_stages s
            LEFT JOIN (SELECT r.stage_id, sum(r.sign * r.entered)::bigint AS entered, sum(r.sign * r.advanced)::bigint AS advanced,
                              sum(r.sign * r.lost)::bigint AS lost, sum(r.sign * r.days_sum)::bigint AS days_sum,
                              sum(r.sign * r.in_stage)::bigint AS in_stage, sum(r.sign * r.in_since_sum)::bigint AS in_since_sum
                       FROM {0} WHERE r.measure = 'stays' GROUP BY r.stage_id) t ON t.stage_id = s.stage_id
            WHERE s.organization_id = @org AND s.pipeline_id = @pipeline
            ORDER BY 3
            """, table: "stage_rollups");
        DaysInStageHistogram(batch, filter, period).Parameters.AddWithValue("today", today);

        var stages = new List<(Guid Id, string Name, int Order, long Entered, long Advanced, long Lost, long TotalDays)>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            // Days of the deals out of the stage, plus those still in it: Σ (today − since) = n × today − Σ since.
            var totalDays = reader.GetInt64(6) + reader.GetInt64(7) * (today.DayNumber - UnixEpochDay) - reader.GetInt64(8);
            stages.Add((reader.GetGuid(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), totalDays));
        }

        await reader.NextResultAsync(cancellationToken);
        var histograms = new Dictionary<Guid, List<(int Days, long Count)>>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var stage = reader.GetGuid(0);
            (histograms.TryGetValue(stage, out var h) ? h : histograms[stage] = []).Add((reader.GetInt32(1), reader.GetInt64(2)));
        }

        var funnel = stages.Select(s => new FunnelStage(s.Id, s.Name, s.Order, (int)s.Entered, (int)s.Advanced, (int)s.Lost,
            Ratio(s.Advanced, s.Entered), Ratio(s.Lost, s.Entered), s.Entered == 0 ? 0 : Math.Round((double)s.TotalDays / s.Entered, 4),
            Median(histograms.GetValueOrDefault(s.Id) ?? []))).ToList();
        var report = new FunnelReport(pipelineId.Value, asOf, filter.From, filter.To, funnel);
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
        var open = Rollups(batch, filter, null, """
            SELECT CASE WHEN day IS NULL THEN 'undated' WHEN day < @start THEN 'overdue' ELSE to_char(day, 'YYYY-MM') END,
                   currency, sum(deals)::bigint, sum(amount), sum(weighted)
            FROM {0} WHERE measure = 'due' AND grain = 'm' AND (day IS NULL OR day < @end)
            GROUP BY 1, 2 HAVING sum(deals) <> 0
            """);
        open.Parameters.AddWithValue("start", start);
        open.Parameters.AddWithValue("end", end);
        Rollups(batch, filter, new RollupPeriod(start, end, rates.MonthsWithRateChanges), """
            SELECT to_char(day, 'YYYY-MM'), currency, day, sum(sign * amount) FROM {0} WHERE measure = 'won' GROUP BY 1, 2, 3 HAVING sum(sign * deals) <> 0
            """);

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
        var period = new RollupPeriod(filter.FromDay, filter.ToDay, rates.MonthsWithRateChanges);
        // One pass over the rollups for both the groups and the lost reasons (the second grouping set; its row
        // without a reason is the won deals').
        Rollups(batch, filter, period, $$"""
            SELECT GROUPING(lost_reason) = 0, coalesce({{column}}, '(none)'), measure, currency, day, lost_reason,
                   sum(sign * deals)::bigint, sum(sign * amount), sum(sign * cycle_days_sum)::bigint
            FROM {0} WHERE measure IN ('won', 'lost')
            GROUP BY GROUPING SETS ((coalesce({{column}}, '(none)'), measure, currency, day), (lost_reason)) HAVING sum(sign * deals) <> 0
            """, groupedBy: groupBy ?? "segment");
        var groups = new Dictionary<string, (int Won, int Lost, decimal WonAmount, long CycleDays)>();
        var reasons = new List<LostReason>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var count = (int)reader.GetInt64(6);
            if (reader.GetBoolean(0))
            {
                if (!reader.IsDBNull(5))
                {
                    reasons.Add(new LostReason(reader.GetString(5), count));
                }

                continue;
            }

            var key = reader.GetString(1);
            var group = groups.GetValueOrDefault(key);
            groups[key] = reader.GetString(2) == "won"
                ? (group.Won + count, group.Lost, group.WonAmount + rates.Convert(reader.GetDecimal(7), reader.GetString(3), reader.GetFieldValue<DateOnly>(4)), group.CycleDays + reader.GetInt64(8))
                : group with { Lost = group.Lost + count };
        }

        var report = new WinLossReport(
            groupBy ?? "segment", rates.OrganizationCurrency, asOf, filter.From, filter.To,
            groups.OrderBy(g => g.Key).Select(g => new WinLossGroup(
                g.Key, g.Value.Won, g.Value.Lost, Ratio(g.Value.Won, g.Value.Won + g.Value.Lost), Round(g.Value.WonAmount),
                g.Value.Won == 0 ? 0 : Round(g.Value.WonAmount / g.Value.Won), g.Value.Won == 0 ? 0 : Math.Round((double)g.Value.CycleDays / g.Value.Won, 4))).ToList(),
            reasons.OrderByDescending(r => r.Count).ThenBy(r => r.Reason, StringComparer.Ordinal).ToList(), rates.Missing.ToList());
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

    /// <summary>A statement on the rollups: {0} is the rows of the filter and period, each with the sign it counts with.</summary>
    private static NpgsqlBatchCommand Rollups(
        NpgsqlBatch batch, ReportFilter filter, RollupPeriod? period, string sql, string? groupedBy = null, string table = "deal_rollups")
    {
        var command = new NpgsqlBatchCommand();
        var condition = filter.RollupCondition(command, groupedBy);
        command.CommandText = string.Format(sql, period?.Rows(condition, table) ?? RollupPeriod.All(condition));
        batch.BatchCommands.Add(command);
        return command;
    }

    /// <summary>
    /// How many deals won in the period took each number of days: from the rollups, which keep it per pipeline, team,
    /// segment and source, but not per owner (<see cref="ReportFilter.OfOneOwner"/>).
    /// </summary>
    private static void CycleHistogram(NpgsqlBatch batch, ReportFilter filter, RollupPeriod period)
    {
        if (filter.OfOneOwner)
        {
            Command(batch, filter, """
                SELECT (closed_at AT TIME ZONE 'UTC')::date - (created_at AT TIME ZONE 'UTC')::date, count(*)
                FROM deals d WHERE {0} AND status = 'won' AND closed_at >= @from AND closed_at < @to GROUP BY 1 ORDER BY 1
                """);
        }
        else
        {
            Rollups(batch, filter, period, "SELECT cycle_days, sum(sign * deals)::bigint FROM {0} WHERE measure = 'cycle' GROUP BY 1 HAVING sum(sign * deals) > 0 ORDER BY 1");
        }
    }

    /// <summary>
    /// How many deals of the cohort spent each number of days in each stage (still in it: since a day): from the
    /// rollups, which keep it per pipeline, team, segment and source, else from the deals' stage rows.
    /// </summary>
    private static NpgsqlBatchCommand DaysInStageHistogram(NpgsqlBatch batch, ReportFilter filter, RollupPeriod period) =>
        filter.OfOneOwner
            ? Command(batch, filter, """
                SELECT stage_id, coalesce(days, @today - in_since), count(*) FROM deal_stages d
                WHERE {0} AND d.created_at >= @from AND d.created_at < @to GROUP BY 1, 2 ORDER BY 1, 2
                """)
            : Rollups(batch, filter, period, """
                SELECT stage_id, coalesce(days, @today - in_since), sum(sign * entered)::bigint FROM {0} WHERE measure = 'time'
                GROUP BY 1, 2 HAVING sum(sign * entered) > 0 ORDER BY 1, 2
                """, table: "stage_rollups");

    private static async Task<double> MedianAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var histogram = new List<(int Days, long Count)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            histogram.Add((reader.GetInt32(0), reader.GetInt64(1)));
        }

        return Median(histogram);
    }

    /// <summary>The median of a histogram of (value, count) in ascending order; the mean of the two middle values for an even count.</summary>
    private static double Median(List<(int Days, long Count)> histogram)
    {
        var total = histogram.Sum(h => h.Count);
        if (total == 0)
        {
            return 0;
        }

        int ValueAt(long index)
        {
            foreach (var (days, count) in histogram)
            {
                if (index < count)
                {
                    return days;
                }

                index -= count;
            }

            throw new InvalidOperationException("Index past the histogram.");
        }

        return (ValueAt((total - 1) / 2) + ValueAt(total / 2)) / 2.0;
    }

    private static readonly int UnixEpochDay = new DateOnly(1970, 1, 1).DayNumber;

    private static double Ratio(long part, long whole) => whole == 0 ? 0 : Math.Round((double)part / whole, 6);

    private static decimal Round(decimal amount) => Math.Round(amount, 2);
}
