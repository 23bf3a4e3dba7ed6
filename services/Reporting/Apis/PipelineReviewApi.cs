using Microsoft.AspNetCore.Http.HttpResults;
using Pipeline.Messaging.Organizations;
using Pipeline.Reporting.Domain;
using Pipeline.Reporting.Infrastructure.Queries;
using Pipeline.ServiceDefaults;

namespace Pipeline.Reporting.Apis;

/// <summary>
/// The query string of the pipeline review: the deals (as every report) and the window, <c>since</c> and
/// <c>until</c> (instants with their offset, or days; see <see cref="WindowBound"/>), and the page of changed deals.
/// </summary>
public sealed record ChangesQuery(
    Guid? PipelineId, string? Since, string? Until, string? OwnerId, Guid? TeamId, string? Segment, string? Source, string? Format,
    string? Cursor, int? Limit)
{
    public ReportCriteria Criteria => new(PipelineId, OwnerId, TeamId, Segment, Source);
}

/// <summary>
/// A change as the review shows it: its kind, what it was and became (stage names as the pipeline now calls them,
/// amounts with <see cref="Currency"/>, dates, a status or a lost reason), and when.
/// </summary>
public sealed record ReviewedChange(string Kind, string? From, string? To, DateTimeOffset At, string? Currency);

public sealed record ChangedDeal(Guid OpportunityId, string Title, string OwnerId, IReadOnlyList<ReviewedChange> Changes);

/// <summary>
/// The pipeline review of <c>GET /api/reports/changes</c>: the window's totals (over every deal the filter and the
/// reader's scope give, not only the page's) and a page of the deals changed in it, latest change first.
/// </summary>
public sealed record ChangesReport(
    DateTimeOffset Since, DateTimeOffset Until, string Currency, DateTimeOffset? AsOf, ChangeTotals Totals, IReadOnlyList<ChangedDeal> Items,
    string? NextCursor, IReadOnlyList<string> MissingRates, IReadOnlyList<string> IncompleteFigures, IReadOnlyList<LeftOutChanges> LeftOut);

/// <summary><c>GET /api/reports/changes</c>: what changed in the pipeline between two instants, for the sales meeting.</summary>
public static class PipelineReviewApi
{
    public static IEndpointRouteBuilder MapPipelineReviewApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/reports").WithTags("Reports").ProducesProblem(StatusCodes.Status401Unauthorized)
            .MapGet("/changes", ChangesAsync).WithName("GetChanges")
            .WithSummary("The pipeline review: deals created, moved forward and back, won, lost, reopened, re-amounted, pushed and pulled between since and until (default: the last 7 days).");
        return app;
    }

    private static async Task<Results<Ok<ChangesReport>, FileContentHttpResult, ValidationProblem>> ChangesAsync(
        [AsParameters] ChangesQuery query, ReportContext reports, ReviewQueries queries, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var since = Bound(query.Since, "since", errors);
        var until = Bound(query.Until, "until", errors);
        if (query.Format is not (null or "json" or "csv"))
        {
            errors["format"] = ["json (the default) or csv."];
        }

        var after = query.Cursor is null ? null : KeysetCursor.Decode<ChangesCursor>(query.Cursor);
        if (query.Cursor is not null && after is null)
        {
            errors["cursor"] = ["The cursor is not one this report gave."];
        }

        if (query.Limit is < 1 or > ReportContext.MaxPage)
        {
            errors["limit"] = [$"The page size is from 1 to {ReportContext.MaxPage}."];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var (filter, money, zone, _, asOf) = await reports.PrepareAsync(
            query.Criteria, (calendar, _) => ReviewWindow.Of(since, until, reports.Now, calendar), cancellationToken);
        if (ReviewWindow.Problem(filter.Period) is var (field, message))
        {
            return Problems.Invalid(field, message);
        }

        var size = query.Limit ?? 50;
        // Amounts convert at the rates of their day in the organisation's time zone (the one the read models are cut in).
        var stretches = ReviewWindow.RateStretches(filter.Period, money.RateChangeDays, OrganizationCalendar.For(zone, 1));
        var review = await queries.ChangesAsync(filter, stretches, after, size + 1, cancellationToken);
        var (totals, incomplete) = PipelineReview.Total(review.Counts, review.Amounts, review.Stages, money);
        var page = review.Deals.Take(size).ToList();
        var items = page.Select(d => new ChangedDeal(d.OpportunityId, d.Title, d.OwnerId, d.Changes.Select(c => Shown(c, review.Stages)).ToList())).ToList();
        var next = review.Deals.Count > size ? KeysetCursor.Encode(new ChangesCursor(page[^1].LastChangeAt, page[^1].OpportunityId)) : null;
        var report = new ChangesReport(filter.From, filter.To, money.Currency, asOf, totals, items, next, money.Missing, incomplete, money.LeftOutOfChanges);
        return query.Format == "csv" ? ReportCsv.Changes(report) : TypedResults.Ok(report);
    }

    private static WindowBound? Bound(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (WindowBound.Parse(text) is { } bound)
        {
            return bound;
        }

        errors[field] = [$"An ISO 8601 instant with its offset (2026-12-04T09:00:00Z), or a day (2026-12-04), between 1900 and 2200."];
        return null;
    }

    private static ReviewedChange Shown(StoredChange change, IReadOnlyDictionary<Guid, StagePlace> stages)
    {
        var kind = PipelineReview.Kind(change.Kind, change.FromStageId, change.ToStageId, stages);
        var amount = kind is ChangeKind.AmountUp or ChangeKind.AmountDown;
        return new ReviewedChange(kind, PipelineReview.Name(change.FromStageId, change.From, stages), PipelineReview.Name(change.ToStageId, change.To, stages),
            change.At, amount ? change.Currency : null);
    }
}
