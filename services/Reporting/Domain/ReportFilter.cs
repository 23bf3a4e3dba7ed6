using System.Text;
using Npgsql;
using Pipeline.ServiceDefaults;

namespace Pipeline.Reporting.Domain;

/// <summary>
/// The filters every report takes (SPEC §5: pipeline, period, owner, team, segment, source), plus who is asking:
/// reps and managers see their team's figures (a rep without a team, their own), admins the organisation's.
/// Builds the SQL condition on <c>deals</c>, always scoped to the caller's organisation and the readers' generation.
/// </summary>
public sealed record ReportFilter(
    Guid OrganizationId, int Generation, Guid? PipelineId, DateTimeOffset From, DateTimeOffset To,
    string? OwnerId, Guid? TeamId, string? Segment, string? Source, string? VisibleOwner, Guid? VisibleTeam)
{
    public static ReportFilter For(CurrentUser caller, int generation, ReportQuery query, DateTimeOffset now)
    {
        var to = query.To is { } t ? t.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddDays(1) : now.UtcDateTime;
        var from = query.From is { } f ? f.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) : to.AddMonths(-12);
        var (visibleOwner, visibleTeam) = caller.IsAdmin ? (null, null) : caller.TeamId is { } team ? ((string?)null, (Guid?)team) : (caller.Id, null);
        return new ReportFilter(caller.OrganizationId, generation, query.PipelineId, new DateTimeOffset(from, TimeSpan.Zero), new DateTimeOffset(to, TimeSpan.Zero),
            query.OwnerId == "me" ? caller.Id : query.OwnerId, query.TeamId, query.Segment, query.Source, visibleOwner, visibleTeam);
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
