using System.Globalization;

namespace Pipeline.Messaging.Organizations;

/// <summary>ISO 4217 currency codes in use, as the platform's globalization data knows them.</summary>
public static class Currencies
{
    private static readonly HashSet<string> Known = CultureInfo.GetCultures(CultureTypes.SpecificCultures)
        .Select(culture =>
        {
            try
            {
                return new RegionInfo(culture.Name).ISOCurrencySymbol;
            }
            catch (ArgumentException)
            {
                return null;
            }
        })
        .Where(code => code is { Length: 3 })
        .Select(code => code!)
        .ToHashSet(StringComparer.Ordinal);

    public static bool IsKnown(string? code) => code is { Length: 3 } && Known.Contains(code);
}
