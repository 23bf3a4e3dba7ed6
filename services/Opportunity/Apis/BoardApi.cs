using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Pipeline.Opportunity.Domain;
using Pipeline.Opportunity.Infrastructure;

namespace Pipeline.Opportunity.Apis;

// The sales domain's Opportunity: from inside namespace Pipeline.Opportunity, C# would find the namespace first.
using Opportunity = Pipeline.Opportunity.Domain.Opportunity;

public sealed record CurrencyTotal(string Currency, decimal Amount, decimal WeightedAmount);

public sealed record BoardColumn(
    Guid StageId, string Name, int Order, int Probability, int Count, decimal Amount, decimal WeightedAmount,
    IReadOnlyList<CurrencyTotal> ByCurrency, IReadOnlyList<OpportunityResponse> Cards);

/// <param name="MissingRates">Currencies without an exchange rate: their amounts are in byCurrency but not in the converted totals.</param>
public sealed record Board(Guid PipelineId, string Currency, IReadOnlyList<BoardColumn> Columns, IReadOnlyList<string> MissingRates);

/// <summary>
/// The pipeline as the sales team sees it: one column per stage with its open deals, totals per currency and
/// converted to the organisation's currency at today's rate, and the first cards (soonest decision first).
/// One aggregate query, then one short indexed query per stage for its first cards.
/// </summary>
public static class BoardApi
{
    public const int DefaultCards = 20;

    public static async Task<IResult> GetBoardAsync(
        Guid id, int? cards, OpportunityDbContext db, PipelineCatalog catalog, SalesAccess access, TimeProvider clock, IMemoryCache cache,
        CancellationToken cancellationToken)
    {
        var perStage = cards ?? DefaultCards;
        if (perStage is < 0 or > 100)
        {
            return Problems.Invalid("cards", "From 0 to 100 cards per stage.");
        }

        var pipeline = await catalog.FindAsync(id, cancellationToken);
        if (pipeline is null)
        {
            return Problems.NotFound("Pipeline");
        }

        var open = access.Visible(db.Opportunities.AsNoTracking()).Where(o => o.PipelineId == id && o.Status == OpportunityStatus.Open);
        var totals = await open
            .GroupBy(o => new { o.StageId, o.Currency })
            .Select(g => new { g.Key.StageId, g.Key.Currency, Count = g.Count(), Amount = g.Sum(o => o.Amount), Weighted = g.Sum(o => o.Amount * o.Probability / 100m) })
            .ToListAsync(cancellationToken);
        var firstCards = new List<Opportunity>();
        if (perStage > 0)
        {
            foreach (var stage in pipeline.OrderedStages.Where(s => totals.Any(t => t.StageId == s.Id)))
            {
                firstCards.AddRange(await open.Where(o => o.StageId == stage.Id)
                    .OrderBy(o => o.ExpectedDecisionDate ?? DateOnly.MaxValue).ThenBy(o => o.Id).Take(perStage)
                    .ToListAsync(cancellationToken));
            }
        }

        var converter = await CurrencyConverter.LoadAsync(db, cache, cancellationToken);
        var today = converter.Calendar.Today(clock);
        var missing = new SortedSet<string>();
        var columns = pipeline.OrderedStages.Select(stage =>
        {
            var stageTotals = totals.Where(t => t.StageId == stage.Id).ToList();
            decimal amount = 0, weighted = 0;
            foreach (var total in stageTotals)
            {
                var currency = total.Currency.Trim();
                if (converter.Convert(total.Amount, currency, today) is { } converted)
                {
                    amount += converted;
                    weighted += converter.Convert(total.Weighted, currency, today)!.Value;
                }
                else
                {
                    missing.Add(currency);
                }
            }

            return new BoardColumn(
                stage.Id, stage.Name, stage.Order, stage.Probability, stageTotals.Sum(t => t.Count), amount, Math.Round(weighted, 2),
                stageTotals.Select(t => new CurrencyTotal(t.Currency.Trim(), t.Amount, Math.Round(t.Weighted, 2))).OrderBy(t => t.Currency).ToList(),
                firstCards.Where(o => o.StageId == stage.Id).Select(OpportunityResponse.From).ToList());
        }).ToList();
        return TypedResults.Ok(new Board(pipeline.Id, converter.OrganizationCurrency, columns, missing.ToList()));
    }
}
