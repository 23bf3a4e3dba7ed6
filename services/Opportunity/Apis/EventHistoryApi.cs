using Microsoft.EntityFrameworkCore;
using Pipeline.Opportunity.Infrastructure;
using Pipeline.ServiceDefaults;

namespace Pipeline.Opportunity.Apis;

public sealed record PublishedEventResponse(long Sequence, Guid EventId, string Type, DateTimeOffset OccurredAt, System.Text.Json.JsonElement Message);

/// <summary>
/// <c>GET /api/opportunity/events?after=&amp;limit=</c>: the organisation's events in the order they were written,
/// for a consumer rebuilding its read models (the reporting service's rebuild). Admins only.
/// </summary>
public static class EventHistoryApi
{
    public const int MaxLimit = 5000;

    public static IEndpointRouteBuilder MapEventHistoryApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/opportunity/events", ListAsync).WithName("ListPublishedEvents").RequireAuthorization(Policies.Admin).WithTags("Event history")
            .Answers<Page<PublishedEventResponse>>(StatusCodes.Status200OK, 400, 403)
            .WithSummary("The organisation's published events in order; page with after=<last sequence>.");
        return app;
    }

    private static async Task<IResult> ListAsync(long? after, int? limit, OpportunityDbContext db, CancellationToken cancellationToken)
    {
        var size = limit ?? 1000;
        if (size is < 1 or > MaxLimit)
        {
            return Problems.Invalid("limit", $"The page size is from 1 to {MaxLimit}.");
        }

        var from = after ?? 0;
        var events = await db.PublishedEvents.AsNoTracking().Where(e => e.Sequence > from).OrderBy(e => e.Sequence).Take(size)
            .ToListAsync(cancellationToken);
        var items = events.Select(e => new PublishedEventResponse(
            e.Sequence, e.EventId, e.Type, e.OccurredAt, System.Text.Json.JsonDocument.Parse(e.Body).RootElement)).ToList();
        return TypedResults.Ok(new Page<PublishedEventResponse>(items, items.Count == size ? items[^1].Sequence.ToString() : null));
    }
}
