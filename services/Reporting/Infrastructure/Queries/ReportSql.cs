using System.Text;
using Npgsql;
using Pipeline.Reporting.Domain;

namespace Pipeline.Reporting.Infrastructure.Queries;

/// <summary>
/// The SQL of a report's filter: conditions on <c>deals</c> (or the rollups, which have the same columns), always
/// scoped to the reader's organisation and the readers' generation, with their parameters; and the rollup rows of
/// a period.
/// </summary>
public static class ReportSql
{
    /// <summary>
    /// The smallest set of dimensions of the rollups that has the report's filters and its grouping
    /// (<paramref name="groupedBy"/>: owner, segment or source): <c>base</c>, one of them, or <c>all</c>.
    /// </summary>
    public static string RollupDimensions(this ReportFilter filter, string? groupedBy = null)
    {
        var dimensions = new[] { ("owner", filter.Owner), ("segment", filter.Segment), ("source", filter.Source) }
            .Where(d => d.Item2 is not null || d.Item1 == groupedBy).Select(d => d.Item1).ToList();
        return dimensions.Count switch { 0 => "base", 1 => dimensions[0], _ => "all" };
    }

    /// <summary>The WHERE condition for the rollups aliased <c>r</c>, in the set of <see cref="RollupDimensions"/>.</summary>
    public static string RollupCondition(this ReportFilter filter, NpgsqlBatchCommand command, string? groupedBy = null)
    {
        command.Parameters.AddWithValue("dims", filter.RollupDimensions(groupedBy));
        return filter.Condition(command, "r") + " AND r.dims = @dims";
    }

    /// <summary>The WHERE condition for <c>deals</c> aliased <paramref name="alias"/>, with its parameters (and @from, @to) added to <paramref name="command"/>.</summary>
    public static string Condition(this ReportFilter filter, NpgsqlBatchCommand command, string alias = "d")
    {
        var sql = new StringBuilder($"{alias}.organization_id = @org AND {alias}.generation = @generation");
        command.Parameters.AddWithValue("org", filter.OrganizationId);
        command.Parameters.AddWithValue("generation", filter.Generation);
        Add(sql, command, alias, "pipeline_id", "pipeline", filter.PipelineId);
        Add(sql, command, alias, "owner_id", "owner", filter.OwnerId);
        Add(sql, command, alias, "team_id", "team", filter.TeamId);
        AddOrNone(sql, command, alias, "segment", filter.Segment);
        AddOrNone(sql, command, alias, "source", filter.Source);
        Add(sql, command, alias, "owner_id", "visible_owner", filter.VisibleOwner);
        Add(sql, command, alias, "team_id", "visible_team", filter.VisibleTeam);
        command.Parameters.AddWithValue("from", filter.From);
        command.Parameters.AddWithValue("to", filter.To);
        return sql.ToString();
    }

    /// <summary>
    /// The rows of <paramref name="table"/> (<c>deal_rollups</c> or <c>stage_rollups</c>) matching
    /// <paramref name="condition"/> in <paramref name="period"/> (every day, when null), as a derived table <c>r</c>
    /// with a <c>sign</c> column (1 or −1).
    /// </summary>
    public static string Rows(RollupPeriod? period, string condition, string table)
    {
        if (period is null)
        {
            return $"(SELECT r.*, 1 AS sign FROM {WithDeltas(table)} r WHERE {condition}) r";
        }

        var parts = period.Parts();
        if (parts.Count == 0)
        {
            return $"(SELECT r.*, 1 AS sign FROM {WithDeltas(table)} r WHERE false) r";
        }

        var months = $"ARRAY[{string.Join(", ", period.DailyMonths.Select(Date))}]::date[]";
        var conditions = parts.Select(p => PartCondition(p, months)).ToList();
        var signs = string.Join(" ", parts.Zip(conditions).Select(p => $"WHEN {p.Second} THEN {p.First.Sign}"));
        return $"(SELECT r.*, CASE {signs} END AS sign FROM {WithDeltas(table)} r WHERE {condition} AND ({string.Join(" OR ", conditions)})) r";
    }

    /// <summary>The rollups and the deltas not folded into them yet: together, every deal projected so far.</summary>
    private static string WithDeltas(string table) => $"(SELECT * FROM {table} UNION ALL SELECT * FROM {table.Replace("rollups", "rollup_deltas")})";

    private static string PartCondition(RollupPart part, string dailyMonths) =>
        $"(r.grain = '{part.Grain}' AND r.day >= {Date(part.From)} AND r.day < {Date(part.To)}" + part.Months switch
        {
            DailyMonths.Excluded => $" AND date_trunc('month', r.day)::date <> ALL({dailyMonths}))",
            DailyMonths.Only => $" AND date_trunc('month', r.day)::date = ANY({dailyMonths}))",
            _ => ")",
        };

    private static string Date(DateOnly day) => $"DATE '{day:yyyy-MM-dd}'";

    /// <summary>
    /// A segment or source: <see cref="ReportFilter.None"/> selects the deals without one, under the key the win/loss
    /// report groups them by, so that its "(none)" group opens its own deals.
    /// </summary>
    private static void AddOrNone(StringBuilder sql, NpgsqlBatchCommand command, string alias, string column, string? value)
    {
        if (value == ReportFilter.None)
        {
            sql.Append($" AND {alias}.{column} IS NULL");
        }
        else
        {
            Add(sql, command, alias, column, column, value);
        }
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
