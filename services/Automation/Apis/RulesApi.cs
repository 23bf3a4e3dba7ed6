using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Pipeline.Automation.Domain;
using Pipeline.Automation.Infrastructure;
using Pipeline.ServiceDefaults;

namespace Pipeline.Automation.Apis;

/// <summary>Rules: every member reads them, admins change them; <c>ETag</c>/<c>If-Match</c> as on opportunities.</summary>
public static class RulesApi
{
    public static IEndpointRouteBuilder MapRulesApi(this IEndpointRouteBuilder app)
    {
        var rules = app.MapGroup("/api/automation/rules").WithTags("Automation rules").RequireAuthorization(Policies.Rep)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        rules.MapGet("/", ListAsync).WithName("ListRules").WithSummary("The organisation's rules, oldest first (paged).");
        rules.MapPost("/", CreateAsync).RequireAuthorization(Policies.Admin).WithName("CreateRule")
            .WithSummary("Adds a rule (admin): a trigger, conditions, an optional delay (ISO 8601) and actions.");
        rules.MapGet("/{id:guid}", GetAsync).ProducesProblem(StatusCodes.Status404NotFound).WithName("GetRule").WithSummary("One rule; the ETag is its version.");
        rules.MapPut("/{id:guid}", UpdateAsync).ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(Policies.Admin).WithName("UpdateRule")
            .WithSummary("Replaces a rule (admin; If-Match honoured). Its delayed actions scheduled before are skipped when due.");
        rules.MapDelete("/{id:guid}", DeleteAsync).ProducesProblem(StatusCodes.Status404NotFound).RequireAuthorization(Policies.Admin).WithName("DeleteRule")
            .WithSummary("Deletes a rule (admin; If-Match honoured); its runs stay readable.");
        rules.MapGet("/{id:guid}/explain", ExplainAsync).ProducesProblem(StatusCodes.Status404NotFound).WithName("ExplainRule")
            .WithSummary("Why this rule fires, or not, for a deal: the trigger and each condition against the deal's current state, and what would have to change.");
        return app;
    }

    private static async Task<Results<Ok<Page<RuleResponse>>, ValidationProblem>> ListAsync(
        string? cursor, int? limit, AutomationDbContext db, CancellationToken cancellationToken)
    {
        var size = limit ?? CreatedCursor.DefaultLimit;
        if (size is < 1 or > CreatedCursor.MaxLimit)
        {
            return Problems.Invalid("limit", $"The page size is from 1 to {CreatedCursor.MaxLimit}.");
        }

        if (!CreatedCursor.TryDecode(cursor, out var after))
        {
            return Problems.Invalid("cursor", "Not a cursor of this list: pass back the nextCursor of the previous page.");
        }

        var query = db.Rules.AsNoTracking().Where(r => r.DeletedAt == null);
        if (after is not null)
        {
            query = query.Where(r => r.CreatedAt > after.At || (r.CreatedAt == after.At && r.Id.CompareTo(after.Id) > 0));
        }

        var rules = await query.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).Take(size + 1).ToListAsync(cancellationToken);
        var page = rules.Take(size).Select(RuleResponse.From).ToList();
        return TypedResults.Ok(new Page<RuleResponse>(page, rules.Count > size ? new CreatedCursor(rules[size - 1].CreatedAt, rules[size - 1].Id).Encode() : null));
    }

    private static async Task<Results<Ok<RuleResponse>, ProblemHttpResult>> GetAsync(
        Guid id, HttpContext http, AutomationDbContext db, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, id, cancellationToken) is not { } rule)
        {
            return Problems.NotFound("Rule");
        }

        http.Response.Headers.ETag = Versions.ETag(rule.Version);
        return TypedResults.Ok(RuleResponse.From(rule));
    }

    private static async Task<Results<Created<RuleResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        RuleBody body, HttpContext http, AutomationDbContext db, CurrentUser caller, TimeProvider clock, CancellationToken cancellationToken)
    {
        var references = await OrganizationViews.LoadReferencesAsync(db, cancellationToken);
        var (definition, errors) = RuleValidation.Validate(body, references);
        if (errors.Invalid.Count > 0)
        {
            return Problems.Invalid(errors.Invalid);
        }

        if (errors.Unprocessable.Count > 0)
        {
            return Problems.Unprocessable(errors.Unprocessable);
        }

        var now = clock.GetUtcNow();
        var rule = new AutomationRule
        {
            Id = Guid.NewGuid(), OrganizationId = caller.OrganizationId, Name = body.Name!.Trim(), Enabled = body.Enabled ?? true,
            TriggerType = definition!.Trigger.Type, Definition = definition, Revision = await db.NextRevisionAsync(cancellationToken),
            CreatedAt = now, CreatedBy = caller.Id, UpdatedAt = now, UpdatedBy = caller.Id,
        };
        db.Rules.Add(rule);
        await db.SaveChangesAsync(cancellationToken);
        http.Response.Headers.ETag = Versions.ETag(rule.Version);
        return TypedResults.Created($"/api/automation/rules/{rule.Id}", RuleResponse.From(rule));
    }

    private static async Task<Results<Ok<RuleResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid id, RuleBody body, HttpContext http, AutomationDbContext db, CurrentUser caller, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, id, cancellationToken, tracked: true) is not { } rule)
        {
            return Problems.NotFound("Rule");
        }

        if (!Versions.Matches(http.Request, rule.Version))
        {
            return Problems.Stale(rule.Version);
        }

        var references = await OrganizationViews.LoadReferencesAsync(db, cancellationToken);
        var (definition, errors) = RuleValidation.Validate(body, references);
        if (errors.Invalid.Count > 0)
        {
            return Problems.Invalid(errors.Invalid);
        }

        if (errors.Unprocessable.Count > 0)
        {
            return Problems.Unprocessable(errors.Unprocessable);
        }

        rule.Name = body.Name!.Trim();
        rule.Enabled = body.Enabled ?? true;
        rule.DisabledReason = null;
        rule.TriggerType = definition!.Trigger.Type;
        rule.Definition = definition;
        if (await SaveChangeAsync(rule, db, caller, clock, cancellationToken) is { } conflict)
        {
            return conflict;
        }

        http.Response.Headers.ETag = Versions.ETag(rule.Version);
        return TypedResults.Ok(RuleResponse.From(rule));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, HttpContext http, AutomationDbContext db, CurrentUser caller, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, id, cancellationToken, tracked: true) is not { } rule)
        {
            return Problems.NotFound("Rule");
        }

        if (!Versions.Matches(http.Request, rule.Version))
        {
            return Problems.Stale(rule.Version);
        }

        rule.Enabled = false;
        rule.DeletedAt = clock.GetUtcNow();
        if (await SaveChangeAsync(rule, db, caller, clock, cancellationToken) is { } conflict)
        {
            return conflict;
        }

        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ExplanationResponse>, ValidationProblem, ProblemHttpResult>> ExplainAsync(
        Guid id, Guid? opportunityId, AutomationDbContext db, CurrentUser caller, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, id, cancellationToken) is not { } rule)
        {
            return Problems.NotFound("Rule");
        }

        if (opportunityId is null)
        {
            return Problems.Invalid("opportunityId", "Name the deal to explain the rule for: ?opportunityId=<id>.");
        }

        var deal = await db.Deals.AsNoTracking().SingleOrDefaultAsync(d => d.OpportunityId == opportunityId && d.CreatedAt != null, cancellationToken);
        if (deal is null)
        {
            return Problems.NotFound("Opportunity");
        }

        if (!DealAccess.CanRead(caller, deal))
        {
            return Problems.Forbidden("This opportunity belongs to another team.");
        }

        var quote = await db.Quotes.AsNoTracking().Where(q => q.OpportunityId == deal.OpportunityId && q.SentAt != null)
            .OrderByDescending(q => q.SentAt).FirstOrDefaultAsync(cancellationToken);
        var activities = await db.Activities.AsNoTracking().Where(a => a.OpportunityId == deal.OpportunityId && !a.Done).ToListAsync(cancellationToken);
        var runs = await db.Runs.AsNoTracking().Where(r => r.RuleId == rule.Id && r.OpportunityId == deal.OpportunityId)
            .OrderByDescending(r => r.CreatedAt).Take(5).ToListAsync(cancellationToken);
        var view = await OrganizationViews.LoadAsync(db, cancellationToken);
        return TypedResults.Ok(ExplanationResponse.Explain(rule, deal, quote, activities, runs, view, clock.GetUtcNow()));
    }

    private static Task<AutomationRule?> FindAsync(AutomationDbContext db, Guid id, CancellationToken cancellationToken, bool tracked = false) =>
        (tracked ? db.Rules : db.Rules.AsNoTracking()).SingleOrDefaultAsync(r => r.Id == id && r.DeletedAt == null, cancellationToken);

    /// <summary>Saves a change of the rule with a new version and revision; 409 when another change of it committed meanwhile.</summary>
    private static async Task<ProblemHttpResult?> SaveChangeAsync(
        AutomationRule rule, AutomationDbContext db, CurrentUser caller, TimeProvider clock, CancellationToken cancellationToken)
    {
        rule.Version++;
        rule.Revision = await db.NextRevisionAsync(cancellationToken);
        rule.UpdatedAt = clock.GetUtcNow();
        rule.UpdatedBy = caller.Id;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Conflict("The rule was changed at the same moment by another request: read it again and retry.");
        }
    }
}

/// <summary>Who may see a deal's runs and explanations: whoever may read the deal (SPEC §1).</summary>
internal static class DealAccess
{
    public static bool CanRead(CurrentUser caller, Deal deal) =>
        caller.IsAdmin || deal.OwnerId == caller.Id || (caller.TeamId is { } team && deal.TeamId == team);

    public static IQueryable<RuleRun> Readable(IQueryable<RuleRun> runs, IQueryable<Deal> deals, CurrentUser caller)
    {
        if (caller.IsAdmin)
        {
            return runs;
        }

        var me = caller.Id;
        var team = caller.TeamId;
        return runs.Where(r => deals.Any(d => d.OpportunityId == r.OpportunityId && (d.OwnerId == me || (team != null && d.TeamId == team))));
    }
}
