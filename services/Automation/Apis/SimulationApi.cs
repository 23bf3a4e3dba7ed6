using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Pipeline.Automation.Domain;
using Pipeline.Automation.Infrastructure;
using Pipeline.Messaging.Organizations;
using Pipeline.ServiceDefaults;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Pipeline.Automation.Apis;

/// <param name="Rule">The rule to simulate, saved or not (the body of POST /api/automation/rules).</param>
/// <param name="RuleId">Or a saved rule, by id.</param>
public sealed record SimulationRequest(RuleBody? Rule, Guid? RuleId, DateTimeOffset? From, DateTimeOffset? To);

public sealed record SimulatedRun(Guid OpportunityId, string? Title, string Status, string Reason, DateTimeOffset TriggeredAt, DateTimeOffset DueAt);

/// <param name="Scheduled">Triggered in the period, with actions due after now: what they will do is not known yet.</param>
/// <param name="ItemsTruncated">True when there were more than <see cref="SimulationApi.MaxItems"/> items: the counts are complete, the list is not.</param>
public sealed record SimulationResponse(
    int Fired, int Skipped, int Failed, int Scheduled, int EventsRead, IReadOnlyList<SimulatedRun> Items, bool ItemsTruncated);

/// <summary>
/// <c>POST /api/automation/rules/simulate</c> (admin): what a rule would have done over a period of the organisation's
/// recorded events, with no side effect, so that an admin sees "37 follow-ups last quarter" before enabling it.
/// </summary>
public static class SimulationApi
{
    public const int MaxItems = 1000;

    public static IEndpointRouteBuilder MapSimulationApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/automation/rules/simulate", SimulateAsync).RequireAuthorization(Policies.Admin).WithTags("Automation rules")
            .WithName("SimulateRule")
            .WithSummary("Replays the organisation's recorded events of a period through a rule (saved or not), with no side effect.")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    private static async Task<Results<Ok<SimulationResponse>, ValidationProblem, ProblemHttpResult>> SimulateAsync(
        SimulationRequest request, HttpContext http, AutomationDbContext db, OpportunityHistory history, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.From is null)
        {
            errors["from"] = ["The start of the period (ISO 8601) is required."];
        }

        if (request.To is null)
        {
            errors["to"] = ["The end of the period (ISO 8601) is required."];
        }
        else if (request.From is { } from && request.To <= from)
        {
            errors["to"] = ["The end of the period comes after its start."];
        }

        if ((request.Rule is null) == (request.RuleId is null))
        {
            errors["rule"] = ["Send the rule to simulate (a rule body, saved or not), or the id of a saved rule as ruleId."];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        ActiveRule rule;
        var references = await OrganizationViews.LoadReferencesAsync(db, cancellationToken);
        if (request.RuleId is { } ruleId)
        {
            if (await db.Rules.AsNoTracking().SingleOrDefaultAsync(r => r.Id == ruleId && r.DeletedAt == null, cancellationToken) is not { } saved)
            {
                return Problems.NotFound("Rule");
            }

            rule = ActiveRule.Of(saved);
        }
        else
        {
            var (definition, invalid) = RuleValidation.Validate(request.Rule!, references);
            if (invalid.Invalid.Count > 0)
            {
                return Problems.Invalid(invalid.Invalid.ToDictionary(e => $"rule.{e.Key}", e => e.Value));
            }

            if (invalid.Unprocessable.Count > 0)
            {
                return Problems.Unprocessable(invalid.Unprocessable.ToDictionary(e => $"rule.{e.Key}", e => e.Value));
            }

            rule = new ActiveRule(Guid.Empty, 0, request.Rule!.Name!.Trim(), definition!, null);
        }

        var profile = await OrganizationProfiles.CurrentAsync(db, cancellationToken);
        var rates = await db.ExchangeRates.AsNoTracking().ToListAsync(cancellationToken);
        var simulation = new Simulation(rule, request.From!.Value, request.To!.Value, clock.GetUtcNow(), profile, references.Users, references.Stages.Values, rates);
        var token = http.Request.Headers.Authorization.ToString()["Bearer ".Length..].Trim();
        try
        {
            await foreach (var message in history.ReadAsync(token, cancellationToken))
            {
                simulation.Apply(message);
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or BrokenCircuitException or TimeoutRejectedException)
        {
            http.Response.Headers.RetryAfter = "10";
            return TypedResults.Problem(title: "The event history is not available", statusCode: StatusCodes.Status503ServiceUnavailable,
                detail: $"The opportunity service's event history could not be read ({exception.Message}); retry in a few seconds.");
        }

        var runs = simulation.Finish();
        var items = runs.Take(MaxItems)
            .Select(r => new SimulatedRun(r.OpportunityId, simulation.TitleOf(r.OpportunityId), r.Status, r.Reason, r.TriggeredAt, r.DueAt)).ToList();
        return TypedResults.Ok(new SimulationResponse(
            runs.Count(r => r.Status == RunStatus.Fired), runs.Count(r => r.Status == RunStatus.Skipped), runs.Count(r => r.Status == RunStatus.Failed),
            runs.Count(r => r.Status == RunStatus.Scheduled), simulation.EventsRead, items, runs.Count > MaxItems));
    }
}
