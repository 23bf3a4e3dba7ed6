using Pipeline.Messaging.Organizations;

namespace Pipeline.Reporting.Domain;

/// <summary>The amounts a report converts, by the figure they add to.</summary>
public enum AmountFigure
{
    Open,
    Weighted,
    Won,
    Lost,

    // The pipeline review's (GET /api/reports/changes).
    AmountUp,
    AmountDown,
    OpenAmountDelta,
    WeightedAmountDelta,
}

/// <summary>Per currency, the amounts (in that currency) left out of a report's converted figures for want of a rate.</summary>
public sealed record LeftOutAmounts(string Currency, decimal OpenAmount, decimal WeightedAmount, decimal WonAmount, decimal LostAmount);

/// <summary>Per currency, the amounts (in that currency) left out of the pipeline review's converted totals for want of a rate.</summary>
public sealed record LeftOutChanges(string Currency, decimal AmountUp, decimal AmountDown, decimal OpenAmountDelta, decimal WeightedAmountDelta);

/// <summary>
/// The organisation's currency, into which a report converts every amount at the rate of the amount's day: through
/// the organisation's dated rate table, whatever currency it is quoted in (cross rates). A converted total never
/// hides money (SPEC §6): an amount without a rate on its day is left out, and the report names its currency and
/// how much of each figure was left out (<see cref="LeftOut"/>).
/// </summary>
public sealed class ReportCurrency(string currency, DatedExchangeRates rates)
{
    private readonly SortedDictionary<string, decimal[]> _leftOut = new(StringComparer.Ordinal);

    public string Currency { get; } = currency.Trim();

    /// <summary>The days a rate takes effect on (the pipeline review converts each stretch between them at one rate).</summary>
    public IReadOnlyCollection<DateOnly> RateChangeDays { get; init; } = [];

    /// <summary>The months in which a rate changes after their first day: their amounts convert day by day.</summary>
    public IReadOnlyCollection<DateOnly> MonthsWithRateChanges { get; } = rates.MonthsWithRateChanges.ToList();

    /// <summary>The currencies left out (<c>missingRates</c>).</summary>
    public IReadOnlyList<string> Missing => _leftOut.Keys.ToList();

    public IReadOnlyList<LeftOutAmounts> LeftOut => _leftOut.Select(c => new LeftOutAmounts(c.Key, c.Value[0], c.Value[1], c.Value[2], c.Value[3])).ToList();

    /// <summary>What the pipeline review's totals left out, per currency.</summary>
    public IReadOnlyList<LeftOutChanges> LeftOutOfChanges => _leftOut
        .Select(c => new LeftOutChanges(c.Key, c.Value[(int)AmountFigure.AmountUp], c.Value[(int)AmountFigure.AmountDown],
            c.Value[(int)AmountFigure.OpenAmountDelta], c.Value[(int)AmountFigure.WeightedAmountDelta])).ToList();

    /// <summary><paramref name="amount"/> of <paramref name="from"/> in the organisation's currency on <paramref name="day"/>, or null, left out of <paramref name="figure"/>.</summary>
    public decimal? Convert(decimal amount, string from, DateOnly day, AmountFigure figure)
    {
        if (amount == 0)
        {
            return 0;
        }

        if (rates.Convert(amount, from, Currency, day) is { } converted)
        {
            return converted;
        }

        var leftOut = _leftOut.TryGetValue(from.Trim(), out var amounts) ? amounts : _leftOut[from.Trim()] = new decimal[Enum.GetValues<AmountFigure>().Length];
        leftOut[(int)figure] += amount;
        return null;
    }
}

/// <summary>
/// A total of converted amounts: their sum, or null when there were amounts and none of them converted (a plain 0
/// would hide them); <see cref="Incomplete"/> when some were left out.
/// </summary>
public sealed class ConvertedTotal
{
    private decimal _sum;
    private bool _converted;

    public bool Incomplete { get; private set; }

    public decimal? Value => Incomplete && !_converted ? null : Kpis.Round(_sum);

    public void Add(decimal? converted)
    {
        if (converted is { } amount)
        {
            _sum += amount;
            _converted = true;
        }
        else
        {
            Incomplete = true;
        }
    }

    /// <summary>The sum of what converted, unrounded, for the KPIs computed from it.</summary>
    public decimal Sum => _sum;
}
