using Pipeline.Messaging.Organizations;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Opportunity.Domain;
using Pipeline.Opportunity.Infrastructure;
using Pipeline.ServiceDefaults;

namespace Pipeline.Opportunity.Apis;

public sealed record RateDto(string? Currency, decimal? Rate, DateOnly? EffectiveFrom);

public sealed record ExchangeRatesDto(string? Currency, IReadOnlyList<RateDto>? Rates);

/// <summary>
/// The organisation's currency and its dated exchange rates, used for every converted total. Everyone reads; an
/// admin replaces the whole table (what is not sent is removed), and each new or changed rate is published.
/// </summary>
public static class ExchangeRatesApi
{
    public static IEndpointRouteBuilder MapExchangeRatesApi(this IEndpointRouteBuilder app)
    {
        var rates = app.MapGroup("/api/exchange-rates").WithTags("Exchange rates");
        rates.MapGet("/", GetAsync).WithSummary("The organisation's currency and dated rates to it.");
        rates.MapPut("/", PutAsync).RequireAuthorization(Policies.Admin).WithSummary("Replaces the currency and the rates (admin).");
        return app;
    }

    private static async Task<IResult> GetAsync(OpportunityDbContext db, CancellationToken cancellationToken)
    {
        var currency = await db.OrganizationSettings.Select(s => s.Currency).SingleOrDefaultAsync(cancellationToken) ?? CurrencyConverter.DefaultCurrency;
        var rates = await db.ExchangeRates.AsNoTracking().OrderBy(r => r.Currency).ThenBy(r => r.EffectiveFrom)
            .Select(r => new RateDto(r.Currency, r.Rate, r.EffectiveFrom)).ToListAsync(cancellationToken);
        return TypedResults.Ok(new ExchangeRatesDto(currency.Trim(), rates.Select(r => r with { Currency = r.Currency!.Trim() }).ToList()));
    }

    private static async Task<IResult> PutAsync(ExchangeRatesDto request, OpportunityDbContext db, CurrentUser caller, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Currencies.IsKnown(request.Currency))
        {
            errors["currency"] = ["The organisation's currency is an ISO 4217 code."];
        }

        var rates = request.Rates ?? [];
        for (var i = 0; i < rates.Count; i++)
        {
            var rate = rates[i];
            if (!Currencies.IsKnown(rate.Currency) || rate.Currency == request.Currency)
            {
                errors[$"rates[{i}].currency"] = ["An ISO 4217 code other than the organisation's currency."];
            }

            if (rate.Rate is not (> 0 and < 1_000_000))
            {
                errors[$"rates[{i}].rate"] = ["A positive rate: units of the organisation's currency for one unit of this one."];
            }

            if (rate.EffectiveFrom is null)
            {
                errors[$"rates[{i}].effectiveFrom"] = ["The date the rate applies from (yyyy-MM-dd)."];
            }
        }

        if (rates.GroupBy(r => (r.Currency, r.EffectiveFrom)).Any(g => g.Count() > 1))
        {
            errors["rates"] = ["One rate per currency and date."];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var settings = await db.OrganizationSettings.SingleOrDefaultAsync(cancellationToken);
        var previousCurrency = settings?.Currency.Trim() ?? CurrencyConverter.DefaultCurrency;
        if (settings is null)
        {
            db.OrganizationSettings.Add(new OrganizationSettings { OrganizationId = caller.OrganizationId, Currency = request.Currency! });
        }
        else
        {
            settings.Currency = request.Currency!;
        }

        if (previousCurrency != request.Currency || settings is null)
        {
            // The organisation's own currency, at 1: how other services learn which currency totals are in.
            db.Publish(new ExchangeRateChanged
            {
                OrganizationId = caller.OrganizationId, ActorId = caller.Id, Currency = request.Currency!, OrganizationCurrency = request.Currency!,
                Rate = 1, EffectiveFrom = DateOnly.MinValue,
            });
        }

        var existing = await db.ExchangeRates.ToListAsync(cancellationToken);
        db.ExchangeRates.RemoveRange(existing.Where(e => !rates.Any(r => r.Currency == e.Currency.Trim() && r.EffectiveFrom == e.EffectiveFrom)));
        foreach (var rate in rates)
        {
            var current = existing.SingleOrDefault(e => e.Currency.Trim() == rate.Currency && e.EffectiveFrom == rate.EffectiveFrom);
            if (current is not null && current.Rate == rate.Rate && settings?.Currency.Trim() == request.Currency)
            {
                continue;
            }

            if (current is null)
            {
                db.ExchangeRates.Add(new ExchangeRate { OrganizationId = caller.OrganizationId, Currency = rate.Currency!, EffectiveFrom = rate.EffectiveFrom!.Value, Rate = rate.Rate!.Value });
            }
            else
            {
                current.Rate = rate.Rate!.Value;
            }

            db.Publish(new ExchangeRateChanged
            {
                OrganizationId = caller.OrganizationId, ActorId = caller.Id, Currency = rate.Currency!, OrganizationCurrency = request.Currency!,
                Rate = rate.Rate!.Value, EffectiveFrom = rate.EffectiveFrom!.Value,
            });
        }

        await db.SaveChangesAsync(cancellationToken);
        return await GetAsync(db, cancellationToken);
    }
}
