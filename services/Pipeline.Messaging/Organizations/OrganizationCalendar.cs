using System.Collections.Concurrent;

namespace Pipeline.Messaging.Organizations;

/// <summary>
/// Days and periods as an organisation counts them (SPEC §6: "periods and today follow the organisation's time
/// zone"): its own midnight, and a fiscal year that starts in the month it chose (quarters follow from it).
/// Periods are half-open: [From, To).
/// </summary>
public sealed class OrganizationCalendar
{
    private static readonly ConcurrentDictionary<(string, int), OrganizationCalendar> Calendars = new();

    private OrganizationCalendar(TimeZoneInfo zone, int fiscalYearStartMonth)
    {
        Zone = zone;
        FiscalYearStartMonth = fiscalYearStartMonth;
    }

    public static OrganizationCalendar Utc { get; } = new(TimeZoneInfo.Utc, 1);

    public TimeZoneInfo Zone { get; }

    public int FiscalYearStartMonth { get; }

    /// <summary>The calendar of an IANA time zone and a fiscal year's first month; UTC for a zone this machine does not know.</summary>
    public static OrganizationCalendar For(string timeZone, int fiscalYearStartMonth) =>
        Calendars.GetOrAdd((timeZone, fiscalYearStartMonth), key => new OrganizationCalendar(
            TimeZoneInfo.TryFindSystemTimeZoneById(key.Item1, out var zone) ? zone : TimeZoneInfo.Utc,
            key.Item2 is >= 1 and <= 12 ? key.Item2 : 1));

    /// <summary>An IANA time zone id (Europe/Paris, America/New_York, UTC) that this platform knows.</summary>
    public static bool IsKnownTimeZone(string? timeZone) =>
        timeZone is { Length: > 0 and <= 64 }
        && TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone)
        && zone.HasIanaId;

    /// <summary>The organisation's date at <paramref name="instant"/>.</summary>
    public DateOnly DayOf(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

    public DateOnly Today(TimeProvider clock) => DayOf(clock.GetUtcNow());

    /// <summary>The instant the organisation's <paramref name="day"/> begins (its midnight, or the first hour after a DST gap).</summary>
    public DateTimeOffset StartOf(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (Zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }

        return new DateTimeOffset(local, Zone.GetUtcOffset(local)).ToUniversalTime();
    }

    /// <summary>
    /// The last instant of the organisation's <paramref name="day"/> (to the microsecond PostgreSQL keeps): what is
    /// due "on that day" is overdue once the organisation's next midnight has passed.
    /// </summary>
    public DateTimeOffset EndOf(DateOnly day) => StartOf(day.AddDays(1)).AddTicks(-TimeSpan.TicksPerMicrosecond);

    /// <summary>The fiscal year containing <paramref name="day"/>.</summary>
    public (DateOnly From, DateOnly To) FiscalYear(DateOnly day)
    {
        var start = new DateOnly(day.Month >= FiscalYearStartMonth ? day.Year : day.Year - 1, FiscalYearStartMonth, 1);
        return (start, start.AddYears(1));
    }

    /// <summary>The fiscal quarter containing <paramref name="day"/>.</summary>
    public (DateOnly From, DateOnly To) FiscalQuarter(DateOnly day)
    {
        var year = FiscalYear(day).From;
        var monthsIn = (day.Year - year.Year) * 12 + day.Month - year.Month;
        var start = year.AddMonths(monthsIn / 3 * 3);
        return (start, start.AddMonths(3));
    }
}
