namespace Pipeline.Reporting.Domain;

/// <summary>
/// Amounts to the organisation's currency at the rate effective on their day (SPEC §6). An amount in a currency
/// without a rate on that day counts nowhere converted; the currency is reported as missing.
/// </summary>
public sealed class DatedRates(string organizationCurrency, IEnumerable<RateToOrganizationCurrency> rates)
{
    private readonly Dictionary<string, (DateOnly From, decimal Rate)[]> _rates = rates
        .GroupBy(r => r.Currency.Trim())
        .ToDictionary(g => g.Key, g => g.OrderBy(r => r.EffectiveFrom).Select(r => (r.EffectiveFrom, r.Rate)).ToArray());

    public string OrganizationCurrency { get; } = organizationCurrency.Trim();

    public SortedSet<string> Missing { get; } = [];

    /// <summary>
    /// The months in which a rate changes after their first day: their amounts convert day by day, while any other
    /// month's convert at one rate (read from the monthly rollups).
    /// </summary>
    public DateOnly[] MonthsWithRateChanges => _rates.Values.SelectMany(r => r)
        .Where(r => r.From.Day != 1).Select(r => new DateOnly(r.From.Year, r.From.Month, 1)).Distinct().ToArray();

    public decimal Convert(decimal amount, string currency, DateOnly day)
    {
        currency = currency.Trim();
        if (currency == OrganizationCurrency || amount == 0)
        {
            return amount;
        }

        decimal? rate = null;
        if (_rates.TryGetValue(currency, out var dated))
        {
            foreach (var (from, value) in dated)
            {
                if (from > day)
                {
                    break;
                }

                rate = value;
            }
        }

        if (rate is null)
        {
            Missing.Add(currency);
            return 0;
        }

        return amount * rate.Value;
    }
}
