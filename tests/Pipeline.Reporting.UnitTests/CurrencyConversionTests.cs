using Pipeline.Messaging.Organizations;
using Pipeline.Reporting.Domain;

namespace Pipeline.Reporting.UnitTests;

/// <summary>
/// Amounts convert into the organisation's currency at the rate effective on their day, through the rate table
/// whatever currency it is quoted in; without a rate they are left out, and said to be, never guessed.
/// </summary>
public sealed class CurrencyConversionTests
{
    /// <summary>Quoted in EUR: 1 USD = 0.80 EUR from 2026-01-01, 0.90 from 2026-07-15; 1 GBP = 1.20 EUR from 2026-01-01.</summary>
    private static DatedExchangeRates Rates() => new("EUR",
    [
        new DatedRate("USD", new DateOnly(2026, 1, 1), 0.8m),
        new DatedRate("USD", new DateOnly(2026, 7, 15), 0.9m),
        new DatedRate("GBP", new DateOnly(2026, 1, 1), 1.2m),
    ]);

    [Fact]
    public void An_amount_converts_at_the_latest_rate_effective_on_its_day()
    {
        var euros = new ReportCurrency("EUR", Rates());
        Assert.Equal(800m, euros.Convert(1_000, "USD", new DateOnly(2026, 7, 14), AmountFigure.Won));
        Assert.Equal(900m, euros.Convert(1_000, "USD", new DateOnly(2026, 7, 15), AmountFigure.Won));
        Assert.Equal(1_000m, euros.Convert(1_000, "EUR", new DateOnly(2020, 1, 1), AmountFigure.Won));
        Assert.Empty(euros.Missing);
    }

    [Fact]
    public void After_a_change_of_currency_amounts_convert_through_the_table_at_cross_rates()
    {
        var dollars = new ReportCurrency("USD", Rates());
        Assert.Equal(1_250m, dollars.Convert(1_000, "EUR", new DateOnly(2026, 3, 1), AmountFigure.Open));   // 1 ÷ 0.80
        Assert.Equal(1_500m, dollars.Convert(1_000, "GBP", new DateOnly(2026, 3, 1), AmountFigure.Open));   // 1.20 ÷ 0.80
        Assert.Equal(1_000m, dollars.Convert(1_000, "USD", new DateOnly(2026, 3, 1), AmountFigure.Open));
    }

    [Fact]
    public void Amounts_without_a_rate_on_their_day_are_left_out_and_named_per_currency_and_figure()
    {
        var euros = new ReportCurrency("EUR", Rates());
        Assert.Null(euros.Convert(1_000, "USD", new DateOnly(2025, 12, 31), AmountFigure.Won));
        Assert.Null(euros.Convert(50, "CHF", new DateOnly(2026, 8, 1), AmountFigure.Open));
        Assert.Null(euros.Convert(5, "CHF", new DateOnly(2026, 8, 1), AmountFigure.Weighted));
        Assert.Equal(0m, euros.Convert(0, "CHF", new DateOnly(2026, 8, 1), AmountFigure.Lost));   // nothing to leave out

        Assert.Equal(["CHF", "USD"], euros.Missing);
        Assert.Equal([new LeftOutAmounts("CHF", 50, 5, 0, 0), new LeftOutAmounts("USD", 0, 0, 1_000, 0)], euros.LeftOut);
    }

    [Fact]
    public void A_total_of_nothing_converted_is_null_not_zero_and_a_partial_one_says_it_is_incomplete()
    {
        var none = new ConvertedTotal();
        none.Add(null);
        var partial = new ConvertedTotal();
        partial.Add(1_250.005m);
        partial.Add(null);
        var empty = new ConvertedTotal();
        var complete = new ConvertedTotal();
        complete.Add(10m);

        Assert.Equal(((decimal?)null, true), (none.Value, none.Incomplete));
        Assert.Equal(((decimal?)1_250.00m, true), (partial.Value, partial.Incomplete));
        Assert.Equal(((decimal?)0m, false), (empty.Value, empty.Incomplete));
        Assert.Equal(((decimal?)10m, false), (complete.Value, complete.Incomplete));
    }

    [Fact]
    public void Months_in_which_a_rate_changes_after_their_first_day_are_read_day_by_day()
    {
        Assert.Equal([new DateOnly(2026, 7, 1)], new ReportCurrency("EUR", Rates()).MonthsWithRateChanges);
    }
}
