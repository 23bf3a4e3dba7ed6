using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Pipeline.Opportunity.Domain;
using Pipeline.Opportunity.Infrastructure;
using Pipeline.ServiceDefaults;

namespace Pipeline.Opportunity.Apis;

// The sales domain's Opportunity: from inside namespace Pipeline.Opportunity, C# would find the namespace first.
using Opportunity = Pipeline.Opportunity.Domain.Opportunity;

/// <summary>The filters of <c>GET /api/opportunities</c> (and of the CSV export).</summary>
public sealed record OpportunityFilter(
    Guid? PipelineId, Guid? StageId, string? Status, string? OwnerId, Guid? TeamId, string? Segment, string? Source,
    DateOnly? DecisionFrom, DateOnly? DecisionTo, string? Q)
{
    public IQueryable<Opportunity> Apply(IQueryable<Opportunity> query, CurrentUser caller)
    {
        if (PipelineId is { } pipeline) query = query.Where(o => o.PipelineId == pipeline);
        if (StageId is { } stage) query = query.Where(o => o.StageId == stage);
        if (Status is { } text && OpportunityStatus.TryParse(text, out var status)) query = query.Where(o => o.Status == status);
        if (OwnerId is { } owner)
        {
            var ownerId = owner == "me" ? caller.Id : owner;
            query = query.Where(o => o.OwnerId == ownerId);
        }

        if (TeamId is { } team) query = query.Where(o => o.TeamId == team);
        if (Segment is { } segment) query = query.Where(o => o.Segment == segment);
        if (Source is { } source) query = query.Where(o => o.Source == source);
        if (DecisionFrom is { } from) query = query.Where(o => o.ExpectedDecisionDate >= from);
        if (DecisionTo is { } to) query = query.Where(o => o.ExpectedDecisionDate <= to);
        if (!string.IsNullOrWhiteSpace(Q))
        {
            var pattern = "%" + Q.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            query = query.Where(o => EF.Functions.ILike(o.Title, pattern) || EF.Functions.ILike(o.AccountName!, pattern) || EF.Functions.ILike(o.ContactName!, pattern));
        }

        return query;
    }

    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (Status is not null && !OpportunityStatus.TryParse(Status, out _))
        {
            errors["status"] = ["The status is open, won or lost."];
        }

        if (DecisionFrom > DecisionTo)
        {
            errors["decisionTo"] = ["decisionTo is on or after decisionFrom."];
        }

        return errors;
    }
}

/// <summary>
/// <c>GET /api/opportunities</c>: filtered and sorted, paged by keyset (the cursor holds the last row's sort key
/// and id), so page 500 costs what page 1 does and rows added meanwhile are neither skipped nor repeated.
/// </summary>
public static class OpportunityListApi
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    private static readonly string[] Sorts = ["decisionDate", "amount", "lastActivity", "createdAt", "title"];

    public static async Task<IResult> ListAsync(
        [AsParameters] ListQuery query, OpportunityDbContext db, SalesAccess access, CurrentUser caller, CancellationToken cancellationToken)
    {
        var filter = new OpportunityFilter(query.PipelineId, query.StageId, query.Status, query.OwnerId, query.TeamId, query.Segment,
            query.Source, query.DecisionFrom, query.DecisionTo, query.Q);
        var errors = filter.Validate();
        var limit = query.Limit ?? DefaultLimit;
        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"The page size is from 1 to {MaxLimit}."];
        }

        var sort = query.Sort ?? "decisionDate";
        var descending = sort.StartsWith('-');
        var key = sort.TrimStart('-');
        if (!Sorts.Contains(key))
        {
            errors["sort"] = [$"Sort by one of {string.Join(", ", Sorts)}, with '-' for descending."];
        }

        Cursor? after = null;
        if (query.Cursor is not null && (after = Cursor.Decode(query.Cursor)) is null)
        {
            errors["cursor"] = ["The cursor is not one this list gave."];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var rows = filter.Apply(access.Visible(db.Opportunities.AsNoTracking()), caller);
        rows = key switch
        {
            "amount" => Ordered(rows, o => o.Amount, descending),
            "lastActivity" => Ordered(rows, o => o.LastActivityAt, descending),
            "createdAt" => Ordered(rows, o => o.CreatedAt, descending),
            "title" => Ordered(rows, o => o.Title, descending),
            // Deals without a decision date come last.
            _ => Ordered(rows, o => o.ExpectedDecisionDate ?? DateOnly.MaxValue, descending),
        };
        if (after is not null)
        {
            rows = rows.Where(KeysetAfter(key, descending, after));
        }

        var items = await rows.Take(limit + 1).ToListAsync(cancellationToken);
        var next = items.Count > limit ? Cursor.From(key, items[limit - 1]).Encode() : null;
        return TypedResults.Ok(new Page<OpportunityResponse>(items.Take(limit).Select(OpportunityResponse.From).ToList(), next));
    }

    private static IQueryable<Opportunity> Ordered<TKey>(IQueryable<Opportunity> rows, System.Linq.Expressions.Expression<Func<Opportunity, TKey>> key, bool descending) =>
        descending ? rows.OrderByDescending(key).ThenByDescending(o => o.Id) : rows.OrderBy(key).ThenBy(o => o.Id);

    private static System.Linq.Expressions.Expression<Func<Opportunity, bool>> KeysetAfter(string key, bool descending, Cursor c) => (key, descending) switch
    {
        ("amount", false) => o => o.Amount > c.Amount || (o.Amount == c.Amount && o.Id.CompareTo(c.Id) > 0),
        ("amount", true) => o => o.Amount < c.Amount || (o.Amount == c.Amount && o.Id.CompareTo(c.Id) < 0),
        ("lastActivity", false) => o => o.LastActivityAt > c.At || (o.LastActivityAt == c.At && o.Id.CompareTo(c.Id) > 0),
        ("lastActivity", true) => o => o.LastActivityAt < c.At || (o.LastActivityAt == c.At && o.Id.CompareTo(c.Id) < 0),
        ("createdAt", false) => o => o.CreatedAt > c.At || (o.CreatedAt == c.At && o.Id.CompareTo(c.Id) > 0),
        ("createdAt", true) => o => o.CreatedAt < c.At || (o.CreatedAt == c.At && o.Id.CompareTo(c.Id) < 0),
        ("title", false) => o => o.Title.CompareTo(c.Text) > 0 || (o.Title == c.Text && o.Id.CompareTo(c.Id) > 0),
        ("title", true) => o => o.Title.CompareTo(c.Text) < 0 || (o.Title == c.Text && o.Id.CompareTo(c.Id) < 0),
        (_, false) => o => (o.ExpectedDecisionDate ?? DateOnly.MaxValue) > c.Date || ((o.ExpectedDecisionDate ?? DateOnly.MaxValue) == c.Date && o.Id.CompareTo(c.Id) > 0),
        (_, true) => o => (o.ExpectedDecisionDate ?? DateOnly.MaxValue) < c.Date || ((o.ExpectedDecisionDate ?? DateOnly.MaxValue) == c.Date && o.Id.CompareTo(c.Id) < 0),
    };

    public sealed record ListQuery(
        Guid? PipelineId, Guid? StageId, string? Status, string? OwnerId, Guid? TeamId, string? Segment, string? Source,
        DateOnly? DecisionFrom, DateOnly? DecisionTo, string? Q, string? Sort, string? Cursor, int? Limit);

    /// <summary>Where the previous page ended: the sort key of its last row and that row's id.</summary>
    private sealed record Cursor(Guid Id, decimal? Amount = null, DateTimeOffset? At = null, DateOnly? Date = null, string? Text = null)
    {
        public static Cursor From(string key, Opportunity last) => key switch
        {
            "amount" => new Cursor(last.Id, Amount: last.Amount),
            "lastActivity" => new Cursor(last.Id, At: last.LastActivityAt),
            "createdAt" => new Cursor(last.Id, At: last.CreatedAt),
            "title" => new Cursor(last.Id, Text: last.Title),
            _ => new Cursor(last.Id, Date: last.ExpectedDecisionDate ?? DateOnly.MaxValue),
        };

        public string Encode() => KeysetCursor.Encode(this);

        public static Cursor? Decode(string value) => KeysetCursor.Decode<Cursor>(value);
    }
}
