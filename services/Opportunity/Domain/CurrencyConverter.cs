using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Pipeline.Messaging.Organizations;
using Pipeline.Opportunity.Infrastructure;

namespace Pipeline.Opportunity.Domain;

/// <summary>
/// Converts amounts to the organisation's currency at the dated rate: the latest rate effective on the day, through
/// the organisation's rate table (<see cref="DatedExchangeRates"/>). An amount in a currency without a rate is left
/// out of converted totals and reported as such.
/// </summary>
public sealed class CurrencyConverter(OrganizationProfile organization, DatedExchangeRates rates)
{
    public string OrganizationCurrency { get; } = organization.Currency.Trim();

    public OrganizationCalendar Calendar { get; } = organization.Calendar;

    public static async Task<CurrencyConverter> LoadAsync(OpportunityDbContext db, IMemoryCache cache, CancellationToken cancellationToken)
    {
        var organization = await OrganizationProfiles.CurrentAsync(db, cache, cancellationToken);
        var quotedIn = await db.ExchangeRateTables.Select(t => t.QuotedIn).SingleOrDefaultAsync(cancellationToken) ?? organization.Currency;
        var rates = await db.ExchangeRates.AsNoTracking()
            .Select(r => new DatedRate(r.Currency, r.EffectiveFrom, r.Rate)).ToListAsync(cancellationToken);
        return new CurrencyConverter(organization, new DatedExchangeRates(quotedIn, rates));
    }

    /// <summary>The amount in the organisation's currency on <paramref name="day"/>, or null without a rate.</summary>
    public decimal? Convert(decimal amount, string currency, DateOnly day) =>
        rates.Convert(amount, currency, OrganizationCurrency, day) is { } converted ? Math.Round(converted, 2) : null;
}
