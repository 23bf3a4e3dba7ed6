using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Pipeline.Opportunity.Domain;
using Pipeline.Opportunity.Infrastructure;
using Pipeline.ServiceDefaults;

namespace Pipeline.Opportunity.Apis;

// The sales domain's Opportunity: from inside namespace Pipeline.Opportunity, C# would find the namespace first.
using Opportunity = Pipeline.Opportunity.Domain.Opportunity;

public sealed record CurrencyTotal(string Currency, decimal Amount, decimal WeightedAmount);

/// <summary>The open activity due soonest on a deal: what the salesperson does next.</summary>
public sealed record NextActivity(Guid Id, string Type, string Subject, DateTimeOffset? DueAt, DateOnly? DueDate);

/// <summary>What a card shows beside the opportunity itself: its next activity and how often its decision date was pushed back.</summary>
public sealed record CardFacts(Guid OpportunityId, NextActivity? NextActivity, int Pushes);

public sealed record BoardColumn(
    Guid StageId, string Name, int Order, int Probability, int Count, decimal Amount, decimal WeightedAmount,
    IReadOnlyList<CurrencyTotal> ByCurrency, IReadOnlyList<OpportunityResponse> Cards, IReadOnlyList<CardFacts> CardFacts);

/// <param name="MissingRates">Currencies without an exchange rate: their amounts are in byCurrency but not in the converted totals.</param>
public sealed record Board(Guid PipelineId, string Currency, IReadOnlyList<BoardColumn> Columns, IReadOnlyList<string> MissingRates);

/// <param name="Key"><c>overdue</c> (decided before today), <c>undated</c>, or the month (<c>2027-03</c>; this month from today on).</param>
public sealed record DecisionMonthColumn(
    string Key, DateOnly? From, DateOnly? To, int Count, decimal Amount, decimal WeightedAmount,
    IReadOnlyList<CurrencyTotal> ByCurrency, IReadOnlyList<OpportunityResponse> Cards, IReadOnlyList<CardFacts> CardFacts);

/// <summary>The pipeline by decision date, for the sales meeting: open deals per expected decision month.</summary>
public sealed record DecisionDateBoard(
    Guid PipelineId, string Currency, DateOnly Today, IReadOnlyList<DecisionMonthColumn> Columns, IReadOnlyList<string> MissingRates);

/// <summary>The board's filters: the list's, narrowed to what a board shows (open deals of one pipeline).</summary>
public sealed record BoardQuery(int? Cards, string? OwnerId, Guid? TeamId, string? Segment, string? Source, string? Q);

/// <summary>
/// The pipeline as the sales team sees it: one column per stage (or per decision month) with its open deals, totals per
/// currency and converted to the organisation's currency at today's rate, and the first cards (soonest decision first).
/// One aggregate query, then one short indexed query per column for its first cards.
/// </summary>
public static class BoardApi
{
    public const int DefaultCards = 20;
    public const int DefaultMonths = 6;

    public static async Task<IResult> GetBoardAsync(
        Guid id, [AsParameters] BoardQuery query, OpportunityDbContext db, PipelineCatalog catalog, SalesAccess access, CurrentUser caller,
        TimeProvider clock, IMemoryCache cache, CancellationToken cancellationToken)
    {
        var perStage = query.Cards ?? DefaultCards;
        if (perStage is < 0 or > 100)
        {
            return Problems.Invalid("cards", "From 0 to 100 cards per stage.");
        }

        var pipeline = await catalog.FindAsync(id, cancellationToken);
        if (pipeline is null)
        {
            return Problems.NotFound("Pipeline");
        }

        var open = OpenDeals(id, query, db, access, caller);
        var totals = await open
            .GroupBy(o => new { o.StageId, o.Currency })
            .Select(g => new { g.Key.StageId, g.Key.Currency, Count = g.Count(), Amount = g.Sum(o => o.Amount), Weighted = g.Sum(o => o.Amount * o.Probability / 100m) })
            .ToListAsync(cancellationToken);
        var firstCards = new List<Opportunity>();
        if (perStage > 0)
        {
            foreach (var stage in pipeline.OrderedStages.Where(s => totals.Any(t => t.StageId == s.Id)))
            {
                firstCards.AddRange(await SoonestFirst(open.Where(o => o.StageId == stage.Id)).Take(perStage).ToListAsync(cancellationToken));
            }
        }

        var facts = await FactsAsync(firstCards, db, cancellationToken);
        var converter = await CurrencyConverter.LoadAsync(db, cache, cancellationToken);
        var today = converter.Calendar.Today(clock);
        var missing = new SortedSet<string>();
        var columns = pipeline.OrderedStages.Select(stage =>
        {
            var (count, amount, weighted, byCurrency) = Sum(
                totals.Where(t => t.StageId == stage.Id).Select(t => (t.Currency, t.Count, t.Amount, t.Weighted)), converter, today, missing);
            var cards = firstCards.Where(o => o.StageId == stage.Id).ToList();
            return new BoardColumn(
                stage.Id, stage.Name, stage.Order, stage.Probability, count, amount, weighted, byCurrency,
                cards.Select(OpportunityResponse.From).ToList(), cards.Select(o => facts(o.Id)).ToList());
        }).ToList();
        return TypedResults.Ok(new Board(pipeline.Id, converter.OrganizationCurrency, columns, missing.ToList()));
    }

    /// <summary>
    /// The open deals by expected decision date: overdue (before today, in the organisation's time zone), this month from
    /// today, each following month up to <paramref name="months"/> in all, and undated.
    /// </summary>
    public static async Task<IResult> GetByDecisionDateAsync(
        Guid id, int? months, [AsParameters] BoardQuery query, OpportunityDbContext db, PipelineCatalog catalog, SalesAccess access,
        CurrentUser caller, TimeProvider clock, IMemoryCache cache, CancellationToken cancellationToken)
    {
        var perColumn = query.Cards ?? DefaultCards;
        var errors = new Dictionary<string, string[]>();
        if (perColumn is < 0 or > 100)
        {
            errors["cards"] = ["From 0 to 100 cards per month."];
        }

        if (months is < 1 or > 24)
        {
            errors["months"] = ["From 1 to 24 months."];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        if (await catalog.FindAsync(id, cancellationToken) is null)
        {
            return Problems.NotFound("Pipeline");
        }

        var converter = await CurrencyConverter.LoadAsync(db, cache, cancellationToken);
        var today = converter.Calendar.Today(clock);
        var firstOfMonth = new DateOnly(today.Year, today.Month, 1);
        var open = OpenDeals(id, query, db, access, caller);
        var buckets = new List<(string Key, DateOnly? From, DateOnly? To, IQueryable<Opportunity> Deals)>
        {
            ("overdue", null, today.AddDays(-1), open.Where(o => o.ExpectedDecisionDate < today)),
        };
        for (var month = 0; month < (months ?? DefaultMonths); month++)
        {
            var start = firstOfMonth.AddMonths(month);
            var from = month == 0 ? today : start;
            var to = start.AddMonths(1).AddDays(-1);
            buckets.Add((start.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), from, to,
                open.Where(o => o.ExpectedDecisionDate >= from && o.ExpectedDecisionDate <= to)));
        }

        buckets.Add(("undated", null, null, open.Where(o => o.ExpectedDecisionDate == null)));

        var missing = new SortedSet<string>();
        var columns = new List<DecisionMonthColumn>();
        foreach (var (key, from, to, deals) in buckets)
        {
            var totals = await deals.GroupBy(o => o.Currency)
                .Select(g => new { Currency = g.Key, Count = g.Count(), Amount = g.Sum(o => o.Amount), Weighted = g.Sum(o => o.Amount * o.Probability / 100m) })
                .ToListAsync(cancellationToken);
            var cards = perColumn == 0 || totals.Count == 0 ? [] : await SoonestFirst(deals).Take(perColumn).ToListAsync(cancellationToken);
            var facts = await FactsAsync(cards, db, cancellationToken);
            var (count, amount, weighted, byCurrency) = Sum(totals.Select(t => (t.Currency, t.Count, t.Amount, t.Weighted)), converter, today, missing);
            columns.Add(new DecisionMonthColumn(key, from, to, count, amount, weighted, byCurrency,
                cards.Select(OpportunityResponse.From).ToList(), cards.Select(o => facts(o.Id)).ToList()));
        }

        return TypedResults.Ok(new DecisionDateBoard(id, converter.OrganizationCurrency, today, columns, missing.ToList()));
    }

    private static IQueryable<Opportunity> OpenDeals(Guid pipelineId, BoardQuery query, OpportunityDbContext db, SalesAccess access, CurrentUser caller) =>
        new OpportunityFilter(pipelineId, null, null, Blank(query.OwnerId), query.TeamId, Blank(query.Segment), Blank(query.Source), null, null, query.Q)
            .Apply(access.Visible(db.Opportunities.AsNoTracking()), caller)
            .Where(o => o.Status == OpportunityStatus.Open);

    private static IQueryable<Opportunity> SoonestFirst(IQueryable<Opportunity> deals) =>
        deals.OrderBy(o => o.ExpectedDecisionDate ?? DateOnly.MaxValue).ThenBy(o => o.Id);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static (int Count, decimal Amount, decimal Weighted, List<CurrencyTotal> ByCurrency) Sum(
        IEnumerable<(string Currency, int Count, decimal Amount, decimal Weighted)> totals, CurrencyConverter converter, DateOnly today,
        SortedSet<string> missing)
    {
        int count = 0;
        decimal amount = 0, weighted = 0;
        var byCurrency = new List<CurrencyTotal>();
        foreach (var total in totals)
        {
            var currency = total.Currency.Trim();
            count += total.Count;
            byCurrency.Add(new CurrencyTotal(currency, total.Amount, Math.Round(total.Weighted, 2)));
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

        return (count, amount, Math.Round(weighted, 2), byCurrency.OrderBy(t => t.Currency).ToList());
    }

    /// <summary>The next open activity and the decision-date pushes of each card, in two queries for all of them.</summary>
    private static async Task<Func<Guid, CardFacts>> FactsAsync(List<Opportunity> cards, OpportunityDbContext db, CancellationToken cancellationToken)
    {
        var ids = cards.Select(o => o.Id).ToList();
        if (ids.Count == 0)
        {
            return id => new CardFacts(id, null, 0);
        }

        var activities = await db.Activities.AsNoTracking()
            .Where(a => ids.Contains(a.OpportunityId) && !a.Done)
            .OrderBy(a => a.DueAt ?? DateTimeOffset.MaxValue).ThenBy(a => a.Id)
            .Select(a => new { a.OpportunityId, Next = new NextActivity(a.Id, a.Type, a.Subject, a.DueAt, a.DueDate) })
            .ToListAsync(cancellationToken);
        var next = activities.GroupBy(a => a.OpportunityId).ToDictionary(g => g.Key, g => g.First().Next);
        // A push is a decision date moved later (ISO dates compare as text).
        var pushes = await db.History.AsNoTracking()
            .Where(h => ids.Contains(h.OpportunityId) && h.Field == "expectedDecisionDate" && h.OldValue != null && h.NewValue != null
                && string.Compare(h.NewValue, h.OldValue) > 0)
            .GroupBy(h => h.OpportunityId).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        return id => new CardFacts(id, next.GetValueOrDefault(id), pushes.GetValueOrDefault(id));
    }
}
