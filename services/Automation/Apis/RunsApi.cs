using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Pipeline.Automation.Domain;
using Pipeline.Automation.Infrastructure;
using Pipeline.ServiceDefaults;

namespace Pipeline.Automation.Apis;

/// <param name="Status">scheduled, fired, skipped or failed.</param>
/// <param name="Reason">Why: what triggered it and what was done, why it was skipped, or what failed.</param>
/// <param name="Trigger">What happened to the deal that matched the rule.</param>
/// <param name="SettledAt">When it stopped being scheduled (fired, skipped or failed).</param>
public sealed record RunResponse(
    Guid Id, Guid RuleId, string? RuleName, Guid OpportunityId, string? Title, Guid? QuoteId, string Status, string Reason, string Trigger,
    DateTimeOffset TriggeredAt, DateTimeOffset DueAt, DateTimeOffset? FiredAt, DateTimeOffset? SettledAt)
{
    public static RunResponse From(RuleRun run, string? ruleName, string? title) => new(
        run.Id, run.RuleId, ruleName, run.OpportunityId, title, run.QuoteId, run.Status, run.Reason, run.Trigger,
        run.TriggeredAt, run.DueAt, run.FiredAt, run.SettledAt);
}

/// <summary>
/// <c>GET /api/automation/runs?ruleId&amp;opportunityId&amp;status</c>: every match, firing, skip and failure with its reason,
/// newest first, paged. Whoever may read a deal may read its runs.
/// </summary>
public static class RunsApi
{
    public static IEndpointRouteBuilder MapRunsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/automation/runs", ListAsync).RequireAuthorization(Policies.Rep).WithTags("Automation runs").WithName("ListRuns")
            .WithSummary("Runs of the organisation's rules on the deals the caller may read, newest first (paged).")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    private static async Task<Results<Ok<Page<RunResponse>>, ValidationProblem, ProblemHttpResult>> ListAsync(
        Guid? ruleId, Guid? opportunityId, string? status, string? cursor, int? limit, AutomationDbContext db, CurrentUser caller,
        CancellationToken cancellationToken)
    {
        var size = limit ?? CreatedCursor.DefaultLimit;
        if (size is < 1 or > CreatedCursor.MaxLimit)
        {
            return Problems.Invalid("limit", $"The page size is from 1 to {CreatedCursor.MaxLimit}.");
        }

        if (status is not null && !RunStatus.All.Contains(status))
        {
            return Problems.Invalid("status", $"One of {string.Join(", ", RunStatus.All)}.");
        }

        if (!CreatedCursor.TryDecode(cursor, out var after))
        {
            return Problems.Invalid("cursor", "Not a cursor of this list: pass back the nextCursor of the previous page.");
        }

        var runs = db.Runs.AsNoTracking();
        if (ruleId is { } rule)
        {
            if (!await db.Rules.AnyAsync(r => r.Id == rule, cancellationToken))
            {
                return Problems.NotFound("Rule");
            }

            runs = runs.Where(r => r.RuleId == rule);
        }

        if (opportunityId is { } opportunity)
        {
            var deal = await db.Deals.AsNoTracking().SingleOrDefaultAsync(d => d.OpportunityId == opportunity, cancellationToken);
            if (deal is null)
            {
                return Problems.NotFound("Opportunity");
            }

            if (!DealAccess.CanRead(caller, deal))
            {
                return Problems.Forbidden("This opportunity belongs to another team.");
            }

            runs = runs.Where(r => r.OpportunityId == opportunity);
        }

        if (status is not null)
        {
            runs = runs.Where(r => r.Status == status);
        }

        runs = DealAccess.Readable(runs, db.Deals, caller);
        if (after is not null)
        {
            runs = runs.Where(r => r.CreatedAt < after.At || (r.CreatedAt == after.At && r.Id.CompareTo(after.Id) < 0));
        }

        var page = await runs.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Take(size + 1)
            .Select(r => new
            {
                Run = r,
                RuleName = db.Rules.Where(x => x.Id == r.RuleId).Select(x => x.Name).FirstOrDefault(),
                Title = db.Deals.Where(d => d.OpportunityId == r.OpportunityId).Select(d => d.Title).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);
        var items = page.Take(size).Select(p => RunResponse.From(p.Run, p.RuleName, p.Title)).ToList();
        var next = page.Count > size ? new CreatedCursor(page[size - 1].Run.CreatedAt, page[size - 1].Run.Id).Encode() : null;
        return TypedResults.Ok(new Page<RunResponse>(items, next));
    }
}
