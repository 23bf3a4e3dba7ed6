using System.Globalization;

namespace Pipeline.Web.Domain;

/// <summary>
/// A period the dashboard's reports cover, as the reporting API takes it: days <see cref="From"/> to <see cref="To"/>
/// (both included), or a fiscal <see cref="Fiscal"/> period the API cuts with the organisation's fiscal year. Neither
/// (the last twelve months) is the API's own default, so that the dashboard and the API count the same days.
/// </summary>
public sealed record ReportPeriod(string Key, DateOnly? From, DateOnly? To, string? Fiscal);

public static class ReportPeriods
{
    public const string ThisMonth = "month";
    public const string ThisQuarter = "quarter";
    public const string ThisYear = "year";
    public const string Last12Months = "12m";
    public const string FiscalQuarter = "fiscal-quarter";
    public const string FiscalYear = "fiscal-year";
    public const string Custom = "custom";

    public static readonly string[] Keys = [ThisMonth, ThisQuarter, ThisYear, Last12Months, FiscalQuarter, FiscalYear, Custom];

    /// <summary>
    /// The period <paramref name="key"/> names, with <paramref name="today"/> in the organisation's time zone; whole
    /// calendar months, quarters and years. A custom period's days default to those of the last twelve months.
    /// </summary>
    public static ReportPeriod Of(string? key, DateOnly today, DateOnly? from, DateOnly? to)
    {
        var month = new DateOnly(today.Year, today.Month, 1);
        var quarter = new DateOnly(today.Year, (today.Month - 1) / 3 * 3 + 1, 1);
        return key switch
        {
            ThisMonth => new(key, month, month.AddMonths(1).AddDays(-1), null),
            ThisQuarter => new(key, quarter, quarter.AddMonths(3).AddDays(-1), null),
            ThisYear => new(key, new DateOnly(today.Year, 1, 1), new DateOnly(today.Year, 12, 31), null),
            FiscalQuarter or FiscalYear => new(key, null, null, key),
            Custom => Between(from ?? today.AddDays(1).AddMonths(-12), to ?? today),
            _ => new(Last12Months, null, null, null),
        };
    }

    private static ReportPeriod Between(DateOnly from, DateOnly to) => new(Custom, from, to < from ? from : to, null);

    /// <summary>Today in the organisation's time zone (periods and "today" follow it, SPEC §6).</summary>
    public static DateOnly Today(string? timeZone, DateTimeOffset now) => DayOf(now, timeZone);

    /// <summary>The organisation's day an instant of a report falls on (a period starts at its midnight).</summary>
    public static DateOnly DayOf(DateTimeOffset at, string? timeZone)
    {
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(timeZone ?? "", out var found) ? found : TimeZoneInfo.Utc;
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);
    }

    /// <summary>The first and last day of a forecast month (<c>2027-03</c>), for the list of deals decided in it.</summary>
    public static (DateOnly First, DateOnly Last)? Month(string key) =>
        DateOnly.TryParseExact(key + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first)
            ? (first, first.AddMonths(1).AddDays(-1))
            : null;

    public static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
