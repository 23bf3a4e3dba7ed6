using Microsoft.EntityFrameworkCore;
using Pipeline.Opportunity.Infrastructure;

namespace Pipeline.Opportunity.Domain;

/// <summary>
/// Converts amounts to the organisation's currency at the dated rate: the latest rate effective on the day.
/// An amount in a currency without a rate is left out of converted totals and reported as such.
/// </summary>
public sealed class CurrencyConverter(string organizationCurrency, IReadOnlyDictionary<string, List<(DateOnly From, decimal Rate)>> rates)
{
    public const string DefaultCurrency = "EUR";

    public string OrganizationCurrency { get; } = organizationCurrency;

    public static async Task<CurrencyConverter> LoadAsync(OpportunityDbContext db, CancellationToken cancellationToken)
    {
        var currency = await db.OrganizationSettings.Select(s => s.Currency).SingleOrDefaultAsync(cancellationToken) ?? DefaultCurrency;
        var rates = (await db.ExchangeRates.AsNoTracking().ToListAsync(cancellationToken))
            .GroupBy(r => r.Currency)
            .ToDictionary(g => g.Key, g => g.OrderBy(r => r.EffectiveFrom).Select(r => (r.EffectiveFrom, r.Rate)).ToList());
        return new CurrencyConverter(currency.Trim(), rates);
    }

    /// <summary>The amount in the organisation's currency on <paramref name="day"/>, or null without a rate.</summary>
    public decimal? Convert(decimal amount, string currency, DateOnly day)
    {
        if (currency == OrganizationCurrency)
        {
            return amount;
        }

        if (!rates.TryGetValue(currency, out var dated))
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

        return rate is { } r ? Math.Round(amount * r, 2) : null;
    }
}
