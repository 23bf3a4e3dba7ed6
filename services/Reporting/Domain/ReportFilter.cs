using System.Text;
using Npgsql;
using Pipeline.ServiceDefaults;

namespace Pipeline.Reporting.Domain;

/// <summary>
/// The filters every report takes (SPEC §5: pipeline, period, owner, team, segment, source), plus who is asking:
/// reps and managers see their team's figures (a rep without a team, their own), admins the organisation's.
/// Builds the SQL condition on <c>deals</c> (or <c>deal_rollups</c>, which have the same columns), always scoped to the caller's organisation and the readers' generation.
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
/// Which rows of <c>deal_rollups</c> (alias <c>r</c>) cover the days [<paramref name="From"/>, <paramref name="To"/>):
/// whole months from the monthly rows, the days at either end, and every day of a month in which an exchange rate
/// changes (amounts there convert day by day), from the daily rows. A null start means since the beginning.
/// </summary>
public sealed record RollupPeriod(DateOnly? From, DateOnly To, DateOnly[] DailyMonths)
{
    public string Condition(NpgsqlBatchCommand command)
    {
        var from = From ?? DateOnly.MinValue;
        var firstWholeMonth = from.Day == 1 ? from : new DateOnly(from.Year, from.Month, 1).AddMonths(1);
        command.Parameters.AddWithValue("period_from", from);
        command.Parameters.AddWithValue("period_to", To);
        command.Parameters.AddWithValue("months_from", firstWholeMonth);
        command.Parameters.AddWithValue("months_to", new DateOnly(To.Year, To.Month, 1));
        command.Parameters.AddWithValue("daily_months", DailyMonths);
        return """
            ((r.grain = 'm' AND r.day >= @months_from AND r.day < @months_to AND r.day <> ALL(@daily_months))
             OR (r.grain = 'd' AND r.day >= @period_from AND r.day < @period_to
                 AND (r.day < @months_from OR r.day >= @months_to OR date_trunc('month', r.day)::date = ANY(@daily_months))))
            """;
    }
}
