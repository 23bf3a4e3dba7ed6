using System.Text;
using Npgsql;
using Pipeline.ServiceDefaults;

namespace Pipeline.Reporting.Domain;

/// <summary>
/// The filters every report takes (SPEC §5: pipeline, period, owner, team, segment, source), plus who is asking:
/// reps and managers see their team's figures (a rep without a team, their own), admins the organisation's.
/// Builds the SQL condition on <c>deals</c> (or <c>deal_rollups</c>, which have the same columns), always scoped to
/// the caller's organisation and the readers' generation.
/// </summary>
public sealed record ReportFilter(
    Guid OrganizationId, int Generation, Guid? PipelineId, DateTimeOffset From, DateTimeOffset To,
    string? OwnerId, Guid? TeamId, string? Segment, string? Source, string? VisibleOwner, Guid? VisibleTeam)
{
    public static ReportFilter For(CurrentUser caller, int generation, ReportQuery query, DateTimeOffset now)
    {
        // Periods are whole days (UTC), as the rollups are kept: by default the twelve months up to today included.
        var to = (query.To ?? DateOnly.FromDateTime(now.UtcDateTime)).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddDays(1);
        var from = query.From is { } f ? f.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) : to.AddMonths(-12);
        var (visibleOwner, visibleTeam) = caller.IsAdmin ? (null, null) : caller.TeamId is { } team ? ((string?)null, (Guid?)team) : (caller.Id, null);
        return new ReportFilter(caller.OrganizationId, generation, query.PipelineId, new DateTimeOffset(from, TimeSpan.Zero), new DateTimeOffset(to, TimeSpan.Zero),
            query.OwnerId == "me" ? caller.Id : query.OwnerId, query.TeamId, query.Segment, query.Source, visibleOwner, visibleTeam);
    }

    public DateOnly FromDay => DateOnly.FromDateTime(From.UtcDateTime);

    public DateOnly ToDay => DateOnly.FromDateTime(To.UtcDateTime);

    /// <summary>
    /// The smallest set of dimensions of <c>deal_rollups</c> that has the report's filters and its grouping
    /// (<paramref name="groupedBy"/>: owner, segment or source): <c>base</c>, one of them, or <c>all</c>.
    /// </summary>
    public string RollupDimensions(string? groupedBy = null)
    {
        var dimensions = new[] { ("owner", OwnerId ?? VisibleOwner), ("segment", Segment), ("source", Source) }
            .Where(d => d.Item2 is not null || d.Item1 == groupedBy).Select(d => d.Item1).ToList();
        return dimensions.Count switch { 0 => "base", 1 => dimensions[0], _ => "all" };
    }

    /// <summary>
    /// Whether the report is of one owner's deals: the histograms behind the medians are not kept per owner (there
    /// they would hold about a row per deal), so such a report reads the deals through an owner index instead.
    /// </summary>
    public bool OfOneOwner => (OwnerId ?? VisibleOwner) is not null;

    /// <summary>The WHERE condition for <c>deal_rollups</c> aliased <c>r</c>, in the set of <see cref="RollupDimensions"/>.</summary>
    public string RollupCondition(NpgsqlBatchCommand command, string? groupedBy = null)
    {
        command.Parameters.AddWithValue("dims", RollupDimensions(groupedBy));
        return Condition(command, "r") + " AND r.dims = @dims";
    }

    /// <summary>The WHERE condition for <c>deals</c> aliased <paramref name="alias"/>, with its parameters added to <paramref name="command"/>.</summary>
    public string Condition(NpgsqlBatchCommand command, string alias = "d")
    {
        var sql = new StringBuilder($"{alias}.organization_id = @org AND {alias}.generation = @generation");
        command.Parameters.AddWithValue("org", OrganizationId);
        command.Parameters.AddWithValue("generation", Generation);
        Add(sql, command, alias, "pipeline_id", "pipeline", PipelineId);
        Add(sql, command, alias, "owner_id", "owner", OwnerId);
        Add(sql, command, alias, "team_id", "team", TeamId);
        Add(sql, command, alias, "segment", "segment", Segment);
        Add(sql, command, alias, "source", "source", Source);
        Add(sql, command, alias, "owner_id", "visible_owner", VisibleOwner);
        Add(sql, command, alias, "team_id", "visible_team", VisibleTeam);
        command.Parameters.AddWithValue("from", From);
        command.Parameters.AddWithValue("to", To);
        return sql.ToString();
    }

    private static void Add(StringBuilder sql, NpgsqlBatchCommand command, string alias, string column, string parameter, object? value)
    {
        if (value is not null)
        {
            sql.Append($" AND {alias}.{column} = @{parameter}");
            command.Parameters.AddWithValue(parameter, value);
        }
    }
}

/// <summary>The query string of every report.</summary>
public sealed record ReportQuery(
    Guid? PipelineId, DateOnly? From, DateOnly? To, string? OwnerId, Guid? TeamId, string? Segment, string? Source, string? Format);

/// <summary>
/// Which rows of <c>deal_rollups</c> cover the days [<paramref name="From"/>, <paramref name="To"/>) (a null start:
/// since the beginning), and with which sign. Whole months come from the monthly rows; a partial month at either
/// end from its daily rows, or, when that reads fewer days, from its monthly row minus the daily rows outside the
/// period (the end of a period running to today is a month minus the days still to come, which hold next to
/// nothing). A month in which an exchange rate changes is read day by day, so amounts convert at their day's rate.
/// </summary>
public sealed record RollupPeriod(DateOnly? From, DateOnly To, DateOnly[] DailyMonths)
{
    /// <summary>
    /// The rollups (<c>deal_rollups</c>, or <c>stage_rollups</c> for the funnel) and the deltas not folded into
    /// them yet: together, every deal projected so far.
    /// </summary>
    private static string Rollups(string table) => $"(SELECT * FROM {table} UNION ALL SELECT * FROM {table.Replace("rollups", "rollup_deltas")})";

    /// <summary>The rows matching <paramref name="filter"/> in the period, as a derived table <c>r</c> with a <c>sign</c> column (1 or −1).</summary>
    public string Rows(string filter, string table = "deal_rollups")
    {
        var parts = Parts();
        if (parts.Count == 0)
        {
            return $"(SELECT r.*, 1 AS sign FROM {Rollups(table)} r WHERE false) r";
        }

        var sign = string.Join(" ", parts.Select(p => $"WHEN {p.Condition} THEN {p.Sign}"));
        return $"(SELECT r.*, CASE {sign} END AS sign FROM {Rollups(table)} r WHERE {filter} AND ({string.Join(" OR ", parts.Select(p => p.Condition))})) r";
    }

    /// <summary>Every row matching <paramref name="filter"/>, whatever its day, counted once.</summary>
    public static string All(string filter) => $"(SELECT r.*, 1 AS sign FROM {Rollups("deal_rollups")} r WHERE {filter}) r";

    private List<(string Condition, int Sign)> Parts()
    {
        var from = From ?? DateOnly.MinValue;
        var parts = new List<(string Condition, int Sign)>();
        if (from >= To)
        {
            return parts;
        }

        var split = DailyMonths.ToHashSet();
        var splitList = $"ARRAY[{string.Join(", ", DailyMonths.Select(Date))}]::date[]";
        var wholeFrom = from.Day == 1 ? from : Month(from).AddMonths(1);
        var wholeTo = Month(To);
        if (wholeFrom < wholeTo)
        {
            parts.Add(($"(r.grain = 'm' AND r.day >= {Date(wholeFrom)} AND r.day < {Date(wholeTo)} AND r.day <> ALL({splitList}))", 1));
        }

        if (DailyMonths.Length > 0)
        {
            parts.Add(($"(r.grain = 'd' AND r.day >= {Date(from)} AND r.day < {Date(To)} AND date_trunc('month', r.day)::date = ANY({splitList}))", 1));
        }

        if (Month(from) == Month(To))
        {
            if (!split.Contains(Month(from)))
            {
                PartialMonth(parts, Month(from), from, To);
            }

            return parts;
        }

        if (from.Day != 1 && !split.Contains(Month(from)))
        {
            PartialMonth(parts, Month(from), from, Month(from).AddMonths(1));
        }

        if (To.Day != 1 && !split.Contains(Month(To)))
        {
            PartialMonth(parts, Month(To), Month(To), To);
        }

        return parts;
    }

    /// <summary>The days [start, end) of the month beginning on <paramref name="month"/>, from whichever reads fewer daily rows.</summary>
    private static void PartialMonth(List<(string Condition, int Sign)> parts, DateOnly month, DateOnly start, DateOnly end)
    {
        var next = month.AddMonths(1);
        var inside = end.DayNumber - start.DayNumber;
        var outside = next.DayNumber - month.DayNumber - inside;
        if (inside <= outside)
        {
            parts.Add(($"(r.grain = 'd' AND r.day >= {Date(start)} AND r.day < {Date(end)})", 1));
            return;
        }

        parts.Add(($"(r.grain = 'm' AND r.day = {Date(month)})", 1));
        parts.Add(($"(r.grain = 'd' AND r.day >= {Date(month)} AND r.day < {Date(start)})", -1));
        parts.Add(($"(r.grain = 'd' AND r.day >= {Date(end)} AND r.day < {Date(next)})", -1));
    }

    private static DateOnly Month(DateOnly day) => new(day.Year, day.Month, 1);

    private static string Date(DateOnly day) => $"DATE '{day:yyyy-MM-dd}'";
}
