using System.Globalization;

namespace Pipeline.Web.Domain;

/// <summary>
/// The reports' figures as the dashboard and the pipeline review write them, in the browser's language: rates as
/// percentages with one decimal, days with one, amounts in the organisation's currency without cents. A figure the
/// API could not compute (an amount without any exchange rate) is a dash, never a zero.
/// </summary>
public static class ReportFormats
{
    public static string Rate(double rate, CultureInfo culture) => rate.ToString("P1", culture);

    public static string Days(double days, CultureInfo culture) => Texts.Get("Dashboard.DaysValue", days.ToString("N1", culture));

    public static string WholeDays(int days, CultureInfo culture) => Texts.Get("Dashboard.DaysValue", days.ToString("N0", culture));

    /// <summary>A bucket of the distribution of sales cycles: "8–14 days", or "366 days or more" for the last.</summary>
    public static string CycleRange(int fromDays, int? toDays, CultureInfo culture) => toDays is { } to
        ? Texts.Get("Dashboard.CycleRange", fromDays.ToString("N0", culture), to.ToString("N0", culture))
        : Texts.Get("Dashboard.CycleAtLeast", fromDays.ToString("N0", culture));

    public static string Amount(decimal? amount, string currency, CultureInfo culture) =>
        amount is { } value ? Formats.Money(value, currency, culture, 0) : "—";

    /// <summary>A change of an amount, with its sign: "+€12,000", "−€3,000".</summary>
    public static string Delta(decimal? amount, string currency, CultureInfo culture) => amount switch
    {
        null => "—",
        > 0 => "+" + Formats.Money(amount.Value, currency, culture, 0),
        < 0 => "−" + Formats.Money(-amount.Value, currency, culture, 0),
        _ => Formats.Money(0, currency, culture, 0),
    };

    public static string Velocity(double? perDay, string currency, CultureInfo culture) =>
        perDay is { } value ? Texts.Get("Dashboard.PerDay", Formats.Money((decimal)value, currency, culture, 0)) : "—";

    public static string Count(int count, CultureInfo culture) => count.ToString("N0", culture);
}
