using Microsoft.AspNetCore.Http.HttpResults;
using Pipeline.Reporting.Domain;
using Pipeline.Reporting.Infrastructure.Queries;

namespace Pipeline.Reporting.Apis;

/// <summary>
/// <c>GET /api/reports/deals</c>: the deals behind a figure of the summary or the funnel, so that a manager clicking a
/// dashboard figure sees exactly the deals counted in it. The opportunity list cannot: it has no close-date or
/// stage-entry filter, and does not cut days in the organisation's time zone as the reports do. The same filter,
/// scope and period as the reports (<see cref="ReportQuery"/>), so the list is as long as the figure.
/// </summary>
public static class FigureDealsApi
{
    public static IEndpointRouteBuilder MapFigureDealsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/reports").WithTags("Reports").ProducesProblem(StatusCodes.Status401Unauthorized)
            .MapGet("/deals", ListAsync).WithName("ListFigureDeals")
            .WithSummary("The deals behind a figure: created (the conversion's cohort), won (optionally by sales cycle, cycleFrom–cycleTo days), lost, "
                + "closed (the win rate's), or entered a stage (stageId: the funnel's entered), with the report's filters.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            // The handler takes figure as optional, to answer its absence with a problem naming it; the document says
            // it is required, so a generated client asks for it.
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                foreach (var parameter in operation.Parameters?.Where(p => p.Name == "figure") ?? [])
                {
                    if (parameter is Microsoft.OpenApi.OpenApiParameter figure)
                    {
                        figure.Required = true;
                    }
                }

                return Task.CompletedTask;
            });
        return app;
    }

    private static async Task<Results<Ok<ReportPage<FigureDeal>>, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> ListAsync(
        [AsParameters] ReportQuery query, string? figure, Guid? stageId, int? cycleFrom, int? cycleTo, string? cursor, int? limit,
        ReportContext reports, ReportQueries queries, CancellationToken cancellationToken)
    {
        if ((reports.Validate(query) ?? reports.ValidatePage(cursor, limit) ?? Validate(figure, stageId, cycleFrom, cycleTo)) is { } invalid)
        {
            return invalid;
        }

        if (stageId is { } stage && !await reports.IsStageAsync(stage, cancellationToken))
        {
            return TypedResults.Problem(title: "Stage not found", statusCode: StatusCodes.Status404NotFound);
        }

        var (filter, _, zone, _, asOf) = await reports.PrepareAsync(query, cancellationToken);
        var (offset, size) = ReportContext.Page(cursor, limit);
        var items = await queries.FigureDealsAsync(filter, new DealsBehind(figure!, stageId, cycleFrom, cycleTo), zone, offset, size + 1, cancellationToken);
        var page = new ReportPage<FigureDeal>(asOf, items.Take(size).ToList(), items.Count > size ? (offset + size).ToString() : null);
        return query.Format == "csv" ? ReportCsv.FigureDeals(figure!, page.Items) : TypedResults.Ok(page);
    }

    /// <summary>The figure and what narrows it: a stage for <c>entered</c> only (and there, always), a cycle range for <c>won</c> only.</summary>
    private static ValidationProblem? Validate(string? figure, Guid? stageId, int? cycleFrom, int? cycleTo)
    {
        var errors = new Dictionary<string, string[]>();
        var figures = string.Join(", ", DealFigure.All);
        if (figure is null || !DealFigure.All.Contains(figure))
        {
            errors["figure"] = [$"The figure whose deals to list: {figures}."];
        }
        else if (figure == DealFigure.Entered && stageId is null)
        {
            errors["stageId"] = ["figure=entered lists the deals that entered a stage: give the stage (stageId)."];
        }
        else if (figure != DealFigure.Entered && stageId is not null)
        {
            errors["stageId"] = ["A stage narrows figure=entered only."];
        }

        foreach (var (field, days) in new[] { ("cycleFrom", cycleFrom), ("cycleTo", cycleTo) }.Where(c => c.Item2 is not null))
        {
            if (figure is not null && figure != DealFigure.Won)
            {
                errors[field] = ["A sales cycle range narrows figure=won only."];
            }
            else if (days < 0)
            {
                errors[field] = ["Days, 0 or more."];
            }
        }

        if (cycleFrom > cycleTo && !errors.ContainsKey("cycleFrom") && !errors.ContainsKey("cycleTo"))
        {
            errors["cycleTo"] = ["cycleTo is on or after cycleFrom."];
        }

        return errors.Count > 0 ? Problems.Invalid(errors) : null;
    }
}
