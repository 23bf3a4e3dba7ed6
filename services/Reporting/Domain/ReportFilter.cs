using Pipeline.Messaging.Organizations;

namespace Pipeline.Reporting.Domain;

/// <summary>Who reads a report: what they may see depends on their role and team.</summary>
public sealed record ReportReader(string UserId, Guid OrganizationId, Guid? TeamId, bool IsAdmin);

/// <summary>The deals a report is about, as asked (SPEC §5): one pipeline, owner (<c>me</c> for the reader), team, segment, source.</summary>
public sealed record ReportCriteria(Guid? PipelineId, string? OwnerId, Guid? TeamId, string? Segment, string? Source);

/// <summary>
/// The days a report covers, [<see cref="FromDay"/>, <see cref="ToDay"/>), as the organisation counts them (its time
/// zone), and the instants they begin and end at (<see cref="From"/>, <see cref="To"/>): whole days, as the rollups
/// are kept.
/// </summary>
public sealed record ReportPeriod(DateOnly FromDay, DateOnly ToDay, DateTimeOffset From, DateTimeOffset To)
{
    public const string FiscalYear = "fiscal-year";
    public const string FiscalQuarter = "fiscal-quarter";

    /// <summary>From <paramref name="from"/> to <paramref name="to"/>, both included; by default the twelve months up to <paramref name="today"/> included.</summary>
    public static ReportPeriod Chosen(DateOnly? from, DateOnly? to, DateOnly today, OrganizationCalendar calendar)
    {
        var end = (to ?? today).AddDays(1);
        return Between(from ?? end.AddMonths(-12), end, calendar);
    }

    /// <summary>The organisation's fiscal year or quarter (<paramref name="period"/>) containing <paramref name="day"/>.</summary>
    public static ReportPeriod Fiscal(string period, DateOnly day, OrganizationCalendar calendar)
    {
        var (from, end) = period switch
        {
            FiscalYear => calendar.FiscalYear(day),
            FiscalQuarter => calendar.FiscalQuarter(day),
            _ => throw new ArgumentOutOfRangeException(nameof(period), period, "fiscal-year or fiscal-quarter."),
        };
        return Between(from, end, calendar);
    }

    /// <summary>The days [<paramref name="from"/>, <paramref name="end"/>).</summary>
    public static ReportPeriod Between(DateOnly from, DateOnly end, OrganizationCalendar calendar) => new(from, end, calendar.StartOf(from), calendar.StartOf(end));
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
    /// <summary>The segment or source of the deals without one: the key the win/loss report gives their group.</summary>
    public const string None = "(none)";

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
