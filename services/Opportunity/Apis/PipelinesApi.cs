using Microsoft.EntityFrameworkCore;
using Pipeline.Opportunity.Domain;
using Pipeline.Opportunity.Infrastructure;
using Pipeline.ServiceDefaults;

namespace Pipeline.Opportunity.Apis;

public sealed record StageResponse(Guid Id, string Name, int Order, int Probability, int RottingDays);

public sealed record PipelineResponse(Guid Id, string Name, bool IsDefault, IReadOnlyList<StageResponse> Stages);

public sealed record StageRequest(Guid? Id, string? Name, int? Probability, int? RottingDays);

/// <param name="Reassign">For each removed stage holding open opportunities: the stage of this pipeline they move to.</param>
public sealed record PipelineRequest(string? Name, IReadOnlyList<StageRequest>? Stages, Dictionary<Guid, Guid>? Reassign);

/// <summary>Pipelines and their stages: everyone reads, admins configure.</summary>
public static class PipelinesApi
{
    public static IEndpointRouteBuilder MapPipelinesApi(this IEndpointRouteBuilder app)
    {
        var pipelines = app.MapGroup("/api/pipelines").WithTags("Pipelines");
        pipelines.MapGet("/", ListAsync).WithName("ListPipelines").Answers<List<PipelineResponse>>(StatusCodes.Status200OK).WithSummary("The organisation's pipelines, the default one first.");
        pipelines.MapGet("/{id:guid}", GetAsync).WithName("GetPipeline").Answers<PipelineResponse>(StatusCodes.Status200OK, 404).WithSummary("One pipeline and its ordered stages.");
        pipelines.MapPost("/", CreateAsync).WithName("CreatePipeline").RequireAuthorization(Policies.Admin)
            .Answers<PipelineResponse>(StatusCodes.Status201Created, 400, 403, 422).WithSummary("Adds a pipeline (admin).");
        pipelines.MapPut("/{id:guid}", UpdateAsync).WithName("UpdatePipeline").RequireAuthorization(Policies.Admin)
            .Answers<PipelineResponse>(StatusCodes.Status200OK, 400, 403, 404, 422)
            .WithSummary("Renames, reorders, adds and removes stages (admin); open deals of a removed stage move to the stage named in reassign.");
        pipelines.MapGet("/{id:guid}/board", BoardApi.GetBoardAsync).WithName("GetBoard").Answers<Board>(StatusCodes.Status200OK, 400, 404)
            .WithSummary("Columns per stage: count, totals, weighted totals, first cards with their next activity; filtered as the list is.");
        pipelines.MapGet("/{id:guid}/board/by-decision-date", BoardApi.GetByDecisionDateAsync).WithName("GetBoardByDecisionDate").Answers<DecisionDateBoard>(StatusCodes.Status200OK, 400, 404)
            .WithSummary("The open deals by expected decision month (overdue, this month, the next months, undated): count, totals, first cards.");
        return app;
    }

    private static async Task<IResult> ListAsync(PipelineCatalog catalog, CancellationToken cancellationToken) =>
        TypedResults.Ok((await catalog.AllAsync(cancellationToken)).Select(ToResponse).ToList());

    private static async Task<IResult> GetAsync(Guid id, PipelineCatalog catalog, CancellationToken cancellationToken) =>
        await catalog.FindAsync(id, cancellationToken) is { } pipeline ? TypedResults.Ok(ToResponse(pipeline)) : Problems.NotFound("Pipeline");

    private static async Task<IResult> CreateAsync(
        PipelineRequest request, OpportunityDbContext db, PipelineCatalog catalog, CurrentUser caller, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = Validate(request, existing: null);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        await catalog.AllAsync(cancellationToken); // the default pipeline exists before any other
        var now = clock.GetUtcNow();
        var pipeline = new SalesPipeline { Id = Guid.NewGuid(), OrganizationId = caller.OrganizationId, Name = request.Name!.Trim(), CreatedAt = now, UpdatedAt = now };
        var order = 0;
        foreach (var stage in request.Stages!)
        {
            pipeline.Stages.Add(new Stage
            {
                Id = Guid.NewGuid(), OrganizationId = caller.OrganizationId, PipelineId = pipeline.Id, Name = stage.Name!.Trim(),
                Order = ++order, Probability = stage.Probability!.Value, RottingDays = stage.RottingDays ?? 14,
            });
        }

        db.Pipelines.Add(pipeline);
        db.Publish(OpportunityEvents.PipelineChanged(pipeline, caller.Id));
        await db.SaveChangesAsync(cancellationToken);
        catalog.Invalidate();
        return TypedResults.Created($"/api/pipelines/{pipeline.Id}", ToResponse(pipeline));
    }

    private static async Task<IResult> UpdateAsync(
        Guid id, PipelineRequest request, OpportunityDbContext db, PipelineCatalog catalog, OpportunityWriter writer,
        CurrentUser caller, TimeProvider clock, CancellationToken cancellationToken)
    {
        var pipeline = await catalog.FindForUpdateAsync(id, cancellationToken);
        if (pipeline is null)
        {
            return Problems.NotFound("Pipeline");
        }

        var errors = Validate(request, pipeline);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var kept = request.Stages!.Where(s => s.Id is not null).Select(s => s.Id!.Value).ToHashSet();
        var removed = pipeline.OrderedStages.Where(s => !kept.Contains(s.Id)).ToList();
        var reassign = request.Reassign ?? [];
        foreach (var stage in removed)
        {
            var holding = await db.Opportunities.CountAsync(o => o.StageId == stage.Id && o.Status == OpportunityStatus.Open, cancellationToken);
            if (holding == 0)
            {
                continue;
            }

            if (!reassign.TryGetValue(stage.Id, out var targetId) || !kept.Contains(targetId))
            {
                return Problems.Unprocessable("reassign",
                    $"Stage '{stage.Name}' holds {holding} open opportunities: name a kept stage of this pipeline to move them to.");
            }
        }

        pipeline.Name = request.Name!.Trim();
        pipeline.UpdatedAt = clock.GetUtcNow();
        var order = 0;
        foreach (var input in request.Stages!)
        {
            var stage = input.Id is { } stageId ? pipeline.Stages.Single(s => s.Id == stageId) : null;
            if (stage is null)
            {
                stage = new Stage { Id = Guid.NewGuid(), OrganizationId = pipeline.OrganizationId, PipelineId = pipeline.Id, Name = input.Name!.Trim() };
                // Added to the set, not the collection: found through the collection with its id already set, EF would
                // take it for an existing row. Fix-up puts it in pipeline.Stages.
                db.Stages.Add(stage);
            }

            stage.Name = input.Name!.Trim();
            stage.Order = ++order;
            stage.Probability = input.Probability!.Value;
            stage.RottingDays = input.RottingDays ?? stage.RottingDays;
            stage.Removed = false;
        }

        foreach (var stage in removed)
        {
            stage.Removed = true;
            if (reassign.TryGetValue(stage.Id, out var targetId))
            {
                var target = pipeline.Stages.Single(s => s.Id == targetId);
                foreach (var opportunity in await db.Opportunities.Where(o => o.StageId == stage.Id && o.Status == OpportunityStatus.Open).ToListAsync(cancellationToken))
                {
                    writer.MoveToStage(opportunity, stage, target, caller.Id);
                }
            }
        }

        db.Publish(OpportunityEvents.PipelineChanged(pipeline, caller.Id));
        await db.SaveChangesAsync(cancellationToken);
        catalog.Invalidate();
        return TypedResults.Ok(ToResponse(pipeline));
    }

    private static Dictionary<string, string[]> Validate(PipelineRequest request, SalesPipeline? existing)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Trim().Length > 100)
        {
            errors["name"] = ["A pipeline name of 1 to 100 characters is required."];
        }

        if (request.Stages is not { Count: > 0 and <= 30 })
        {
            errors["stages"] = ["A pipeline has 1 to 30 stages."];
            return errors;
        }

        for (var i = 0; i < request.Stages.Count; i++)
        {
            var stage = request.Stages[i];
            if (string.IsNullOrWhiteSpace(stage.Name) || stage.Name.Trim().Length > 100)
            {
                errors[$"stages[{i}].name"] = ["A stage name of 1 to 100 characters is required."];
            }

            if (stage.Probability is not (>= 0 and <= 100))
            {
                errors[$"stages[{i}].probability"] = ["The probability is a whole number from 0 to 100."];
            }

            if (stage.RottingDays is not null and not (>= 1 and <= 365))
            {
                errors[$"stages[{i}].rottingDays"] = ["Rotting days are from 1 to 365."];
            }

            if (stage.Id is { } id && existing?.Stages.Any(s => s.Id == id) != true)
            {
                errors[$"stages[{i}].id"] = ["No such stage in this pipeline."];
            }
        }

        var names = request.Stages.Where(s => !string.IsNullOrWhiteSpace(s.Name)).Select(s => s.Name!.Trim().ToLowerInvariant()).ToList();
        if (names.Count != names.Distinct().Count())
        {
            errors["stages"] = ["Stage names are unique within a pipeline."];
        }

        return errors;
    }

    public static PipelineResponse ToResponse(SalesPipeline pipeline) => new(
        pipeline.Id, pipeline.Name, pipeline.IsDefault,
        pipeline.OrderedStages.Select(s => new StageResponse(s.Id, s.Name, s.Order, s.Probability, s.RottingDays)).ToList());
}
