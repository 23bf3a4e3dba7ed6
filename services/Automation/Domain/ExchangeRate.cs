using Pipeline.Contracts;
using Pipeline.Messaging.Organizations;
using Pipeline.Messaging.Tenancy;

namespace Pipeline.Automation.Domain;

/// <summary>One dated rate of the organisation's table, quoted in <see cref="QuotedIn"/> (see <see cref="DatedExchangeRates"/>).</summary>
public sealed class ExchangeRate : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public required string Currency { get; init; }

    public DateOnly EffectiveFrom { get; init; }

    public decimal Rate { get; set; }

    public required string QuotedIn { get; set; }

    /// <summary>When the event that set this rate was published: a table's rows are only replaced by a newer table.</summary>
    public DateTimeOffset PublishedAt { get; set; }
}

public static class ExchangeRates
{
    /// <summary>
    /// Applies a published rate to the rows held (<paramref name="held"/>, all of the organisation). A rate quoted in
    /// another currency than the held rows belongs to a table that replaced theirs: they are dropped.
    /// </summary>
    public static void Apply(ExchangeRateChanged message, IReadOnlyList<ExchangeRate> held, Action<ExchangeRate> add, Action<ExchangeRate> remove)
    {
        var quotedIn = message.OrganizationCurrency.Trim();
        var replaced = held.Where(r => r.QuotedIn != quotedIn).ToList();
        if (replaced.Count > 0 && replaced.Max(r => r.PublishedAt) > message.OccurredAt)
        {
            return; // a rate of the table that was since replaced, arriving late
        }

        foreach (var row in replaced)
        {
            remove(row);
        }

        var currency = message.Currency.Trim();
        if (currency == quotedIn)
        {
            return; // the table's own currency, at 1: how a new table announces itself
        }

        var rate = held.FirstOrDefault(r => r.QuotedIn == quotedIn && r.Currency == currency && r.EffectiveFrom == message.EffectiveFrom);
        if (rate is null)
        {
            add(new ExchangeRate
            {
                OrganizationId = message.OrganizationId, Currency = currency, EffectiveFrom = message.EffectiveFrom, Rate = message.Rate,
                QuotedIn = quotedIn, PublishedAt = message.OccurredAt,
            });
        }
        else if (message.OccurredAt >= rate.PublishedAt)
        {
            rate.Rate = message.Rate;
            rate.PublishedAt = message.OccurredAt;
        }
    }

    public static DatedExchangeRates Table(IReadOnlyCollection<ExchangeRate> rows, string organizationCurrency) =>
        new(rows.FirstOrDefault()?.QuotedIn ?? organizationCurrency, rows.Select(r => new DatedRate(r.Currency, r.EffectiveFrom, r.Rate)));
}
