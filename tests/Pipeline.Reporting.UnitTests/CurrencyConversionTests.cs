using Pipeline.Reporting.Domain;

namespace Pipeline.Reporting.UnitTests;

/// <summary>Amounts convert at the rate effective on their day; without one they are missing, never guessed.</summary>
public sealed class CurrencyConversionTests
{
    private static readonly Guid Acme = Guid.NewGuid();

    private static DatedRates Rates() => new("EUR",
    [
        new RateToOrganizationCurrency { OrganizationId = Acme, Currency = "USD", EffectiveFrom = new DateOnly(2026, 1, 1), Rate = 0.8m },
        new RateToOrganizationCurrency { OrganizationId = Acme, Currency = "USD", EffectiveFrom = new DateOnly(2026, 7, 15), Rate = 0.9m },
    ]);

    [Fact]
    public void An_amount_converts_at_the_latest_rate_effective_on_its_day()
    {
        var rates = Rates();
        Assert.Equal(800m, rates.Convert(1_000, "USD", new DateOnly(2026, 7, 14)));
        Assert.Equal(900m, rates.Convert(1_000, "USD", new DateOnly(2026, 7, 15)));
        Assert.Equal(1_000m, rates.Convert(1_000, "EUR", new DateOnly(2020, 1, 1)));
        Assert.Empty(rates.Missing);
    }

    [Fact]
    public void An_amount_without_a_rate_on_its_day_is_missing()
    {
        var rates = Rates();
        Assert.Equal(0, rates.Convert(1_000, "USD", new DateOnly(2025, 12, 31)));
        Assert.Equal(0, rates.Convert(50, "GBP", new DateOnly(2026, 8, 1)));
        Assert.Equal(["GBP", "USD"], rates.Missing);
    }

    [Fact]
    public void Months_in_which_a_rate_changes_after_their_first_day_are_read_day_by_day()
    {
        Assert.Equal([new DateOnly(2026, 7, 1)], Rates().MonthsWithRateChanges);
    }
}
