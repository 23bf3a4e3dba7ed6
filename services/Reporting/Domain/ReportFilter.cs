namespace Pipeline.Reporting.Domain;

/// <summary>Who reads a report: what they may see depends on their role and team.</summary>
public sealed record ReportReader(string UserId, Guid OrganizationId, Guid? TeamId, bool IsAdmin);

/// <summary>The deals a report is about, as asked (SPEC §5): one pipeline, owner (<c>me</c> for the reader), team, segment, source.</summary>
public sealed record ReportCriteria(Guid? PipelineId, string? OwnerId, Guid? TeamId, string? Segment, string? Source);

/// <summary>
/// The days a report covers, [<see cref="FromDay"/>, <see cref="ToDay"/>), and the instants they begin and end at
/// (<see cref="From"/>, <see cref="To"/>): whole days, as the rollups are kept.
/// </summary>
public sealed record ReportPeriod(DateOnly FromDay, DateOnly ToDay, DateTimeOffset From, DateTimeOffset To)
{
    /// <summary>The days midnight UTC starts.</summary>
    public static DateTimeOffset UtcMidnight(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>From <paramref name="from"/> to <paramref name="to"/>, both included; by default the twelve months up to <paramref name="today"/> included.</summary>
    public static ReportPeriod Chosen(DateOnly? from, DateOnly? to, DateOnly today, Func<DateOnly, DateTimeOffset> startOf)
    {
        var end = (to ?? today).AddDays(1);
        return Between(from ?? end.AddMonths(-12), end, startOf);
    }

    /// <summary>The days [<paramref name="from"/>, <paramref name="end"/>).</summary>
    public static ReportPeriod Between(DateOnly from, DateOnly end, Func<DateOnly, DateTimeOffset> startOf) => new(from, end, startOf(from), startOf(end));
}

/// <summary>
/// The deals a report counts: the reader's organisation and the generation of the read models readers use, the
/// criteria asked for, and what the reader may see: reps and managers their team's figures (a rep without a team,
/// their own), admins the organisation's.
/// </summary>
public sealed record ReportFilter(
    Guid OrganizationId, int Generation, ReportPeriod Period, Guid? PipelineId,
    string? OwnerId, Guid? TeamId, string? Segment, string? Source, string? VisibleOwner, Guid? VisibleTeam)
{
    public static ReportFilter For(ReportReader reader, int generation, ReportCriteria criteria, ReportPeriod period)
    {
        var (visibleOwner, visibleTeam) = reader.IsAdmin ? (null, null) : reader.TeamId is { } team ? ((string?)null, (Guid?)team) : (reader.UserId, null);
        return new ReportFilter(reader.OrganizationId, generation, period, criteria.PipelineId,
            criteria.OwnerId == "me" ? reader.UserId : criteria.OwnerId, criteria.TeamId, criteria.Segment, criteria.Source, visibleOwner, visibleTeam);
    }

    public DateOnly FromDay => Period.FromDay;

    public DateOnly ToDay => Period.ToDay;

    public DateTimeOffset From => Period.From;

    public DateTimeOffset To => Period.To;

    /// <summary>The one owner whose deals the report counts (asked for, or the only one the reader may see), if any.</summary>
    public string? Owner => OwnerId ?? VisibleOwner;

    /// <summary>
    /// Whether the report is of one owner's deals: the histograms behind the medians are not kept per owner (there
    /// they would hold about a row per deal), so such a report reads the deals instead.
    /// </summary>
    public bool OfOneOwner => Owner is not null;
}
