using Npgsql;
using Pipeline.Reporting.Domain;

namespace Pipeline.Reporting.Infrastructure.Queries;

/// <summary>
/// The figures each report is computed from, in one batch of SQL per report. Summary, forecast and win/loss read
/// the rollups PostgreSQL keeps of the deals (<c>deal_rollups</c>, see Sql/Functions/deal_rollup_changes.sql), the
/// funnel those of the deals' paths through the stages (<c>stage_rollups</c>, see stage_rollup_changes.sql); stale
/// and slipped read the deals. Amounts come per currency and, where they convert at their day's rate, per day.
/// </summary>
public sealed class ReportQueries(NpgsqlDataSource database)
{
    public sealed record Summary(IReadOnlyList<OpenFigures> Open, IReadOnlyList<ClosedFigures> Closed, DaysHistogram Cycles, Cohort Cohort);

    public sealed record Funnel(IReadOnlyList<StageFigures> Stages, IReadOnlyDictionary<Guid, DaysHistogram> DaysInStage);

    public sealed record Forecast(IReadOnlyList<DueFigures> Due, IReadOnlyList<(string Month, ClosedFigures Won)> Won);

    public sealed record WinLoss(IReadOnlyList<GroupFigures> Groups, IReadOnlyList<LostReason> LostReasons);

    /// <summary>The period's figures; <paramref name="timeZone"/> cuts the deals' days where they are read rather than their rollups.</summary>
    public async Task<Summary> SummaryAsync(ReportFilter filter, RollupPeriod period, string timeZone, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        // Open deals are a snapshot of those created before the period's end, whenever.
        Rollups(batch, filter, period with { From = null }, """
            SELECT currency, sum(sign * deals)::bigint, sum(sign * amount), sum(sign * weighted) FROM {0} WHERE measure = 'open' GROUP BY currency HAVING sum(sign * deals) <> 0
            """);
        Rollups(batch, filter, period, """
            SELECT measure, currency, day, sum(sign * deals)::bigint, sum(sign * amount), sum(sign * cycle_days_sum)::bigint
            FROM {0} WHERE measure IN ('won', 'lost') GROUP BY 1, 2, 3 HAVING sum(sign * deals) <> 0
            """);
        CycleHistogram(batch, filter, period, timeZone);
        Rollups(batch, filter, period, "SELECT coalesce(sum(sign * deals), 0)::bigint, coalesce(sum(sign * won), 0)::bigint FROM {0} WHERE measure = 'created'");

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var open = new List<OpenFigures>();
        while (await reader.ReadAsync(cancellationToken))
        {
            open.Add(new OpenFigures(reader.GetString(0).Trim(), reader.GetInt64(1), reader.GetDecimal(2), reader.GetDecimal(3)));
        }

        await reader.NextResultAsync(cancellationToken);
        var closed = new List<ClosedFigures>();
        while (await reader.ReadAsync(cancellationToken))
        {
            closed.Add(new ClosedFigures(reader.GetString(0), reader.GetString(1).Trim(), reader.GetFieldValue<DateOnly>(2), reader.GetInt64(3),
                reader.GetDecimal(4), reader.GetInt64(5)));
        }

        await reader.NextResultAsync(cancellationToken);
        var cycles = await HistogramAsync(reader, cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new Summary(open, closed, cycles, new Cohort(reader.GetInt64(0), reader.GetInt64(1)));
    }

    /// <summary>The stages of <paramref name="filter"/>'s pipeline in their order, for the deals created in the period; time in stage up to <paramref name="today"/>.</summary>
    public async Task<Funnel> FunnelAsync(ReportFilter filter, DateOnly today, CancellationToken cancellationToken)
    {
        var period = new RollupPeriod(filter.FromDay, filter.ToDay, []);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
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

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var stages = new List<StageFigures>();
        while (await reader.ReadAsync(cancellationToken))
        {
            stages.Add(new StageFigures(reader.GetGuid(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt64(3), reader.GetInt64(4),
                reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8)));
        }

        await reader.NextResultAsync(cancellationToken);
        var histograms = new Dictionary<Guid, List<(int Days, long Count)>>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var stage = reader.GetGuid(0);
            (histograms.TryGetValue(stage, out var h) ? h : histograms[stage] = []).Add((reader.GetInt32(1), reader.GetInt64(2)));
        }

        return new Funnel(stages, histograms.ToDictionary(h => h.Key, h => new DaysHistogram(h.Value)));
    }

    /// <summary>Open deals by decision month from <paramref name="start"/> until <paramref name="end"/> (and before, and undated); deals won in those months.</summary>
    public async Task<Forecast> ForecastAsync(ReportFilter filter, DateOnly start, DateOnly end, IReadOnlyCollection<DateOnly> dailyMonths, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        var open = Rollups(batch, filter, null, """
            SELECT CASE WHEN day IS NULL THEN 'undated' WHEN day < @start THEN 'overdue' ELSE to_char(day, 'YYYY-MM') END,
                   currency, sum(deals)::bigint, sum(amount), sum(weighted)
            FROM {0} WHERE measure = 'due' AND grain = 'm' AND (day IS NULL OR day < @end)
            GROUP BY 1, 2 HAVING sum(deals) <> 0
            """);
        open.Parameters.AddWithValue("start", start);
        open.Parameters.AddWithValue("end", end);
        Rollups(batch, filter, new RollupPeriod(start, end, dailyMonths), """
            SELECT to_char(day, 'YYYY-MM'), currency, day, sum(sign * deals)::bigint, sum(sign * amount) FROM {0} WHERE measure = 'won' GROUP BY 1, 2, 3 HAVING sum(sign * deals) <> 0
            """);

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var due = new List<DueFigures>();
        while (await reader.ReadAsync(cancellationToken))
        {
            due.Add(new DueFigures(reader.GetString(0), reader.GetString(1).Trim(), reader.GetInt64(2), reader.GetDecimal(3), reader.GetDecimal(4)));
        }

        await reader.NextResultAsync(cancellationToken);
        var won = new List<(string, ClosedFigures)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            won.Add((reader.GetString(0), new ClosedFigures("won", reader.GetString(1).Trim(), reader.GetFieldValue<DateOnly>(2), reader.GetInt64(3), reader.GetDecimal(4), 0)));
        }

        return new Forecast(due, won);
    }

    /// <summary>Won and lost deals of the period per group (<paramref name="groupBy"/>: segment, source, owner or team), and the lost reasons.</summary>
    public async Task<WinLoss> WinLossAsync(ReportFilter filter, RollupPeriod period, string groupBy, CancellationToken cancellationToken)
    {
        var column = groupBy switch
        {
            "segment" => "segment",
            "source" => "source",
            "owner" => "owner_id",
            "team" => "team_id::text",
            _ => throw new ArgumentOutOfRangeException(nameof(groupBy), groupBy, "Group by segment, source, owner or team."),
        };
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        // One pass over the rollups for both the groups and the lost reasons (the second grouping set; its row
        // without a reason is the won deals').
        Rollups(batch, filter, period, $$"""
            SELECT GROUPING(lost_reason) = 0, coalesce({{column}}, '(none)'), measure, currency, day, lost_reason,
                   sum(sign * deals)::bigint, sum(sign * amount), sum(sign * cycle_days_sum)::bigint
            FROM {0} WHERE measure IN ('won', 'lost')
            GROUP BY GROUPING SETS ((coalesce({{column}}, '(none)'), measure, currency, day), (lost_reason)) HAVING sum(sign * deals) <> 0
            """, groupedBy: groupBy);

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var groups = new List<GroupFigures>();
        var reasons = new List<LostReason>();
        while (await reader.ReadAsync(cancellationToken))
        {
            if (reader.GetBoolean(0))
            {
                if (!reader.IsDBNull(5))
                {
                    reasons.Add(new LostReason(reader.GetString(5), (int)reader.GetInt64(6)));
                }

                continue;
            }

            groups.Add(new GroupFigures(reader.GetString(1), new ClosedFigures(reader.GetString(2), reader.GetString(3).Trim(),
                reader.GetFieldValue<DateOnly>(4), reader.GetInt64(6), reader.GetDecimal(7), reader.GetInt64(8))));
        }

        return new WinLoss(groups, reasons);
    }

    /// <summary>
    /// Open deals idle (no stage change, update or completed activity) for more days than their stage's rotting days,
    /// in the organisation's days up to <paramref name="today"/>, longest idle first: a page from <paramref name="offset"/>.
    /// </summary>
    public async Task<List<StaleDeal>> StaleAsync(ReportFilter filter, DateOnly today, string timeZone, int offset, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        // Idle for more than r days: last touched before the start of the day r days ago (the organisation's midnight).
        var command = Command(batch, filter, """
            SELECT d.opportunity_id, d.title, d.owner_id, d.stage_id, s.name, d.amount, d.currency, d.last_touched_at,
                   @today - (d.last_touched_at AT TIME ZONE @zone)::date, s.rotting_days
            FROM deals d JOIN pipeline_stages s ON s.organization_id = d.organization_id AND s.stage_id = d.stage_id
            WHERE {0} AND d.status = 'open' AND d.last_touched_at < ((@today - s.rotting_days)::timestamp AT TIME ZONE @zone)
            ORDER BY d.last_touched_at, d.opportunity_id OFFSET @offset LIMIT @limit
            """);
        command.Parameters.AddWithValue("today", today);
        command.Parameters.AddWithValue("zone", timeZone);
        command.Parameters.AddWithValue("offset", offset);
        command.Parameters.AddWithValue("limit", limit);
        var items = new List<StaleDeal>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new StaleDeal(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetGuid(3), reader.GetString(4),
                reader.GetDecimal(5), reader.GetString(6).Trim(), reader.GetFieldValue<DateTimeOffset>(7), reader.GetInt32(8), reader.GetInt32(9)));
        }

        return items;
    }

    /// <summary>Deals whose decision date was pushed, most pushed first: a page from <paramref name="offset"/>.</summary>
    public async Task<List<SlippedDeal>> SlippedAsync(ReportFilter filter, int offset, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        var command = Command(batch, filter, """
            SELECT d.opportunity_id, d.title, d.owner_id, d.status, d.expected_decision_date, d.push_count, d.pushed_days, d.amount, d.currency
            FROM deals d WHERE {0} AND d.push_count > 0
            ORDER BY d.push_count DESC, d.pushed_days DESC, d.opportunity_id OFFSET @offset LIMIT @limit
            """);
        command.Parameters.AddWithValue("offset", offset);
        command.Parameters.AddWithValue("limit", limit);
        var items = new List<SlippedDeal>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new SlippedDeal(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateOnly>(4), reader.GetInt32(5), reader.GetInt32(6), reader.GetDecimal(7), reader.GetString(8).Trim()));
        }

        return items;
    }

    /// <summary>
    /// The deals behind a figure of the summary or the funnel (<paramref name="behind"/>), the same rows the figure
    /// counts (whose rollups are computed from them), so the list is as long as the figure: a page from
    /// <paramref name="offset"/>, latest first. Days are cut in <paramref name="timeZone"/>, as the rollups'.
    /// </summary>
    public async Task<List<FigureDeal>> FigureDealsAsync(
        ReportFilter filter, DealsBehind behind, string timeZone, int offset, int limit, CancellationToken cancellationToken)
    {
        // The days of a sales cycle as the median and the distribution count them (CycleHistogram).
        const string cycle = "(d.closed_at AT TIME ZONE @zone)::date - (d.created_at AT TIME ZONE @zone)::date";
        const string closedInPeriod = "d.closed_at >= @from AND d.closed_at < @to";
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        var command = new NpgsqlBatchCommand();
        var which = behind.Figure switch
        {
            DealFigure.Created => $"{filter.Condition(command)} AND d.created_at >= @from AND d.created_at < @to",
            DealFigure.Won => $"{filter.Condition(command)} AND d.status = 'won' AND {closedInPeriod}"
                + (behind.CycleFrom is null ? "" : $" AND {cycle} >= @cycle_from") + (behind.CycleTo is null ? "" : $" AND {cycle} <= @cycle_to"),
            DealFigure.Lost => $"{filter.Condition(command)} AND d.status = 'lost' AND {closedInPeriod}",
            DealFigure.Closed => $"{filter.Condition(command)} AND d.status IN ('won', 'lost') AND {closedInPeriod}",
            // The funnel counts the cohort's deal_stages rows of the stage (stage_rollup_changes.sql: skipped stages
            // have none, a stage entered again has one), filtered on the rows' own copy of the deal's dimensions:
            // the same rows, with the same filter. Their created_at is the deal's: the cohort's bounds on the deal too
            // let the index on (organisation, generation, created_at) walk the period alone.
            DealFigure.Entered => $"""
                d.organization_id = @org AND d.generation = @generation AND d.created_at >= @from AND d.created_at < @to AND EXISTS (
                    SELECT 1 FROM deal_stages e WHERE {filter.Condition(command, "e")} AND e.opportunity_id = d.opportunity_id
                    AND e.stage_id = @stage AND e.created_at >= @from AND e.created_at < @to)
                """,
            _ => throw new ArgumentOutOfRangeException(nameof(behind), behind.Figure, "created, won, lost, closed or entered."),
        };
        var latest = behind.Figure is DealFigure.Created or DealFigure.Entered ? "d.created_at" : "d.closed_at";
        // Left join: a deal in a stage the pipeline's events have not named yet is counted in the figures, so listed.
        command.CommandText = $"""
            SELECT d.opportunity_id, d.title, d.owner_id, d.pipeline_id, d.stage_id, coalesce(s.name, ''), d.status, d.amount, d.currency,
                   d.created_at, d.closed_at, CASE WHEN d.status = 'won' THEN {cycle} END
            FROM deals d LEFT JOIN pipeline_stages s ON s.organization_id = d.organization_id AND s.stage_id = d.stage_id
            WHERE {which}
            ORDER BY {latest} DESC, d.opportunity_id OFFSET @offset LIMIT @limit
            """;
        batch.BatchCommands.Add(command);
        command.Parameters.AddWithValue("zone", timeZone);
        command.Parameters.AddWithValue("offset", offset);
        command.Parameters.AddWithValue("limit", limit);
        foreach (var (name, value) in new (string, object?)[] { ("stage", behind.StageId), ("cycle_from", behind.CycleFrom), ("cycle_to", behind.CycleTo) })
        {
            if (value is not null)
            {
                command.Parameters.AddWithValue(name, value);
            }
        }

        var items = new List<FigureDeal>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new FigureDeal(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetGuid(3), reader.GetGuid(4), reader.GetString(5),
                reader.GetString(6), reader.GetDecimal(7), reader.GetString(8).Trim(), reader.GetFieldValue<DateTimeOffset>(9),
                reader.IsDBNull(10) ? null : reader.GetFieldValue<DateTimeOffset>(10), reader.IsDBNull(11) ? null : reader.GetInt32(11)));
        }

        return items;
    }

    /// <summary>A statement on the deals: {0} is the filter's condition on <c>deals d</c>.</summary>
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
        command.CommandText = string.Format(sql, ReportSql.Rows(period, filter.RollupCondition(command, groupedBy), table));
        batch.BatchCommands.Add(command);
        return command;
    }

    /// <summary>
    /// How many deals won in the period took each number of days: from the rollups, which keep it per pipeline, team,
    /// segment and source, but not per owner (<see cref="ReportFilter.OfOneOwner"/>).
    /// </summary>
    private static void CycleHistogram(NpgsqlBatch batch, ReportFilter filter, RollupPeriod period, string timeZone)
    {
        if (filter.OfOneOwner)
        {
            Command(batch, filter, """
                SELECT (closed_at AT TIME ZONE @zone)::date - (created_at AT TIME ZONE @zone)::date, count(*)
                FROM deals d WHERE {0} AND status = 'won' AND closed_at >= @from AND closed_at < @to GROUP BY 1 ORDER BY 1
                """).Parameters.AddWithValue("zone", timeZone);
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

    private static async Task<DaysHistogram> HistogramAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var counts = new List<(int Days, long Count)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            counts.Add((reader.GetInt32(0), reader.GetInt64(1)));
        }

        return new DaysHistogram(counts);
    }
}
