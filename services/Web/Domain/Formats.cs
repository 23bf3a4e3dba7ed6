using System.Globalization;

namespace Pipeline.Web.Domain;

/// <summary>
/// Amounts and dates as the user's browser language writes them (the request's culture): fr-FR writes
/// <c>12 000,00 €</c>, en-US <c>€12,000.00</c>. The currency is the deal's own, never the culture's.
/// </summary>
public static class Formats
{
    private static readonly Dictionary<string, string> Symbols = new(StringComparer.OrdinalIgnoreCase)
    {
        ["EUR"] = "€", ["USD"] = "$", ["GBP"] = "£", ["JPY"] = "¥", ["INR"] = "₹", ["CNY"] = "CN¥", ["KRW"] = "₩",
    };

    public static string Money(decimal amount, string currency, CultureInfo culture, int decimals = 2)
    {
        var format = (NumberFormatInfo)culture.NumberFormat.Clone();
        format.CurrencySymbol = Symbol(currency, culture);
        format.CurrencyDecimalDigits = decimals;
        return amount.ToString("C", format);
    }

    /// <summary>The culture's own symbol when its country pays in this currency, a well-known one, else the ISO code.</summary>
    public static string Symbol(string currency, CultureInfo culture)
    {
        try
        {
            if (!culture.IsNeutralCulture && culture.Name.Length > 0 && new RegionInfo(culture.Name).ISOCurrencySymbol == currency)
            {
                return culture.NumberFormat.CurrencySymbol;
            }
        }
        catch (ArgumentException)
        {
            // A culture without a region: fall through.
        }

        return Symbols.GetValueOrDefault(currency, currency);
    }

    public static string Date(DateOnly? date, CultureInfo culture) => date?.ToString("d", culture) ?? "—";

    public static string Month(string key, CultureInfo culture) =>
        DateOnly.TryParseExact(key + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first)
            ? culture.TextInfo.ToTitleCase(first.ToString("MMMM yyyy", culture))
            : key;

    public static string DateTime(DateTimeOffset? at, CultureInfo culture) => at?.ToLocalTime().ToString("g", culture) ?? "—";

    public static string Percent(int percent, CultureInfo culture) => (percent / 100m).ToString("P0", culture);
}
