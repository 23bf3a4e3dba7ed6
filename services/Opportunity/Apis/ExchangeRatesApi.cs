using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Pipeline.Contracts;
using Pipeline.Messaging.Organizations;
using Pipeline.Opportunity.Domain;
using Pipeline.Opportunity.Infrastructure;
using Pipeline.ServiceDefaults;

namespace Pipeline.Opportunity.Apis;

public sealed record RateDto(string? Currency, decimal? Rate, DateOnly? EffectiveFrom);

/// <param name="Currency">In a request, optional; when given it must be the organisation's currency.</param>
public sealed record ExchangeRatesRequest(string? Currency, IReadOnlyList<RateDto>? Rates);

/// <param name="Currency">The organisation's currency (set through <c>PUT /api/organization</c>).</param>
/// <param name="QuotedIn">The currency the rates are quoted in: the organisation's when an admin last replaced them.
/// After a change of the organisation's currency, amounts still convert through them (cross rates) until they are replaced.</param>
public sealed record ExchangeRatesResponse(string Currency, string QuotedIn, IReadOnlyList<RateDto> Rates);

/// <summary>
/// The organisation's dated exchange rates, used for every converted total. Everyone reads; an admin replaces the
/// whole table (what is not sent is removed), quoted in the organisation's currency, and each new or changed rate
/// is published. The organisation's currency itself is identity's (<c>OrganizationChanged</c>), not decided here.
/// </summary>
public static class ExchangeRatesApi
{
    public static IEndpointRouteBuilder MapExchangeRatesApi(this IEndpointRouteBuilder app)
    {
        var rates = app.MapGroup("/api/exchange-rates").WithTags("Exchange rates");
        rates.MapGet("/", GetAsync).WithName("GetExchangeRates").Answers<ExchangeRatesResponse>(StatusCodes.Status200OK).WithSummary("The organisation's currency and the dated rates to it.");
        rates.MapPut("/", PutAsync).WithName("ReplaceExchangeRates").RequireAuthorization(Policies.Admin)
            .Answers<ExchangeRatesResponse>(StatusCodes.Status200OK, 400, 403, 422).WithSummary("Replaces the rates, quoted in the organisation's currency (admin).");
        return app;
    }

    private static async Task<IResult> GetAsync(OpportunityDbContext db, IMemoryCache cache, CancellationToken cancellationToken)
    {
        var currency = (await OrganizationProfiles.CurrentAsync(db, cache, cancellationToken)).Currency;
        var quotedIn = await db.ExchangeRateTables.Select(t => t.QuotedIn).SingleOrDefaultAsync(cancellationToken);
        var rates = await db.ExchangeRates.AsNoTracking().OrderBy(r => r.Currency).ThenBy(r => r.EffectiveFrom)
            .Select(r => new RateDto(r.Currency, r.Rate, r.EffectiveFrom)).ToListAsync(cancellationToken);
        return TypedResults.Ok(new ExchangeRatesResponse(
            currency, quotedIn?.Trim() ?? currency, rates.Select(r => r with { Currency = r.Currency!.Trim() }).ToList()));
    }

    private static async Task<IResult> PutAsync(
        ExchangeRatesRequest request, OpportunityDbContext db, CurrentUser caller, IMemoryCache cache, CancellationToken cancellationToken)
    {
        var organizationCurrency = (await OrganizationProfiles.CurrentAsync(db, cache, cancellationToken)).Currency;
        if (request.Currency is { } currency && currency != organizationCurrency)
        {
            return Problems.Unprocessable("currency",
                $"The organisation's currency is {organizationCurrency}; rates are quoted in it. An admin changes it with PUT /api/organization.");
        }

        var errors = new Dictionary<string, string[]>();
        var rates = request.Rates ?? [];
        for (var i = 0; i < rates.Count; i++)
        {
            var rate = rates[i];
            if (!Currencies.IsKnown(rate.Currency) || rate.Currency == organizationCurrency)
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

        var table = await db.ExchangeRateTables.SingleOrDefaultAsync(cancellationToken);
        // Rates quoted in a former currency of the organisation are all replaced and all published again, so every
        // consumer ends up with one table in one currency.
        var requoted = table is null || table.QuotedIn.Trim() != organizationCurrency;
        if (table is null)
        {
            db.ExchangeRateTables.Add(new ExchangeRateTable { OrganizationId = caller.OrganizationId, QuotedIn = organizationCurrency });
        }
        else
        {
            table.QuotedIn = organizationCurrency;
        }

        var existing = await db.ExchangeRates.ToListAsync(cancellationToken);
        db.ExchangeRates.RemoveRange(existing.Where(e => !rates.Any(r => r.Currency == e.Currency.Trim() && r.EffectiveFrom == e.EffectiveFrom)));
        foreach (var rate in rates)
        {
            var current = existing.SingleOrDefault(e => e.Currency.Trim() == rate.Currency && e.EffectiveFrom == rate.EffectiveFrom);
            if (current is not null && current.Rate == rate.Rate && !requoted)
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
                OrganizationId = caller.OrganizationId, ActorId = caller.Id, Currency = rate.Currency!, OrganizationCurrency = organizationCurrency,
                Rate = rate.Rate!.Value, EffectiveFrom = rate.EffectiveFrom!.Value,
            });
        }

        await db.SaveChangesAsync(cancellationToken);
        return await GetAsync(db, cache, cancellationToken);
    }
}
