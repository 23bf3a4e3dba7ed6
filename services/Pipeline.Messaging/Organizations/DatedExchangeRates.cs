namespace Pipeline.Messaging.Organizations;

/// <summary>One rate of the organisation's table: one unit of <see cref="Currency"/> is worth <see cref="Rate"/> units of the table's currency from <see cref="EffectiveFrom"/> on.</summary>
public readonly record struct DatedRate(string Currency, DateOnly EffectiveFrom, decimal Rate);

/// <summary>
/// The organisation's dated exchange rates, quoted in the currency an admin entered them in (<see cref="QuotedIn"/>),
/// which converts between any two currencies of the table: from A to B at rate(A) ÷ rate(B) of the day. So when an
/// organisation changes its currency, every amount converts into the new one through the rates already entered,
/// and an amount whose currency (or the new one) has no rate on its day is missing, never guessed.
/// </summary>
public sealed class DatedExchangeRates
{
    private readonly Dictionary<string, (DateOnly From, decimal Rate)[]> _rates;

    public DatedExchangeRates(string quotedIn, IEnumerable<DatedRate> rates)
    {
        QuotedIn = quotedIn.Trim();
        _rates = rates
            .GroupBy(r => r.Currency.Trim())
            .ToDictionary(g => g.Key, g => g.OrderBy(r => r.EffectiveFrom).Select(r => (r.EffectiveFrom, r.Rate)).ToArray());
    }

    public string QuotedIn { get; }

    /// <summary>The months in which a rate changes after their first day (reports convert those day by day).</summary>
    public IEnumerable<DateOnly> MonthsWithRateChanges => _rates.Values.SelectMany(r => r)
        .Where(r => r.From.Day != 1).Select(r => new DateOnly(r.From.Year, r.From.Month, 1)).Distinct();

    /// <summary>How many units of <paramref name="to"/> one unit of <paramref name="from"/> is worth on <paramref name="day"/>; null without a rate.</summary>
    public decimal? Rate(string from, string to, DateOnly day)
    {
        from = from.Trim();
        to = to.Trim();
        if (from == to)
        {
            return 1;
        }

        return InQuotedCurrency(from, day) is { } a && InQuotedCurrency(to, day) is { } b ? a / b : null;
    }

    /// <summary><paramref name="amount"/> in <paramref name="to"/> on <paramref name="day"/>; null without a rate.</summary>
    public decimal? Convert(decimal amount, string from, string to, DateOnly day) =>
        Rate(from, to, day) is { } rate ? amount * rate : null;

    private decimal? InQuotedCurrency(string currency, DateOnly day)
    {
        if (currency == QuotedIn)
        {
            return 1;
        }

        if (!_rates.TryGetValue(currency, out var dated))
        {
            return null;
        }

        decimal? rate = null;
        foreach (var (from, value) in dated)
        {
            if (from > day)
            {
                break;
            }

            rate = value;
        }

        return rate;
    }
}
