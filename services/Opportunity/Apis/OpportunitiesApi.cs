using Pipeline.Messaging.Organizations;
using System.Net.Mail;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Pipeline.Opportunity.Domain;
using Pipeline.Opportunity.Infrastructure;
using Pipeline.ServiceDefaults;

namespace Pipeline.Opportunity.Apis;

// The sales domain's Opportunity: from inside namespace Pipeline.Opportunity, C# would find the namespace first.
using Opportunity = Pipeline.Opportunity.Domain.Opportunity;

public sealed record CreateOpportunityRequest(
    string? Title, string? AccountName, string? ContactName, string? ContactEmail, decimal? Amount, string? Currency,
    Guid? PipelineId, Guid? StageId, DateOnly? ExpectedDecisionDate, string? Source, string? Segment, string? OwnerId, int? Probability);

public sealed record MoveRequest(Guid? StageId);

public sealed record LoseRequest(string? Reason);

/// <summary>The opportunity itself: create, read, change, move through stages, win, lose, reopen, history.</summary>
public static class OpportunitiesApi
{
    public const int TitleMaxLength = 200;

    public static IEndpointRouteBuilder MapOpportunitiesApi(this IEndpointRouteBuilder app)
    {
        var opportunities = app.MapGroup("/api/opportunities").WithTags("Opportunities");
        opportunities.MapPost("/", CreateAsync).WithName("CreateOpportunity").Answers<OpportunityResponse>(StatusCodes.Status201Created, 400, 403, 422).WithSummary("Creates an opportunity (in the default pipeline's first stage unless told otherwise).");
        opportunities.MapGet("/", OpportunityListApi.ListAsync).WithName("ListOpportunities").Answers<Page<OpportunityResponse>>(StatusCodes.Status200OK, 400).WithSummary("Filtered, sorted list with keyset pagination.");
        opportunities.MapGet("/{id:guid}", GetAsync).WithName("GetOpportunity").Answers<OpportunityResponse>(StatusCodes.Status200OK, 403, 404).WithSummary("One opportunity; the ETag is its version.");
        opportunities.MapPatch("/{id:guid}", PatchAsync).WithName("ChangeOpportunity")
            .Answers<OpportunityResponse>(StatusCodes.Status200OK, 400, 403, 404, 409, 412, 422).HonoursIfMatch()
            .WithSummary("Changes the fields present in the body (If-Match honoured).");
        opportunities.MapPost("/{id:guid}/stage", MoveAsync).WithName("MoveOpportunity")
            .Answers<OpportunityResponse>(StatusCodes.Status200OK, 400, 403, 404, 409, 412, 422).HonoursIfMatch()
            .WithSummary("Moves to another stage of its pipeline, forward, backward or skipping (If-Match honoured).");
        opportunities.MapPost("/{id:guid}/win", WinAsync).WithName("WinOpportunity")
            .Answers<OpportunityResponse>(StatusCodes.Status200OK, 403, 404, 409, 412, 422).HonoursIfMatch()
            .WithSummary("Marks the deal won.");
        opportunities.MapPost("/{id:guid}/lose", LoseAsync).WithName("LoseOpportunity")
            .Answers<OpportunityResponse>(StatusCodes.Status200OK, 400, 403, 404, 409, 412, 422).HonoursIfMatch()
            .WithSummary("Marks the deal lost, with a reason.");
        opportunities.MapPost("/{id:guid}/reopen", ReopenAsync).WithName("ReopenOpportunity")
            .Answers<OpportunityResponse>(StatusCodes.Status200OK, 403, 404, 409, 412, 422).HonoursIfMatch()
            .WithSummary("Reopens a won or lost deal in the stage it closed in.");
        opportunities.MapGet("/{id:guid}/history", HistoryAsync).WithName("GetOpportunityHistory").Answers<Page<HistoryResponse>>(StatusCodes.Status200OK, 400, 403, 404).WithSummary("Every stage move and field change: who, when, old, new.");
        return app;
    }

    private static async Task<IResult> CreateAsync(
        CreateOpportunityRequest request, OpportunityDbContext db, PipelineCatalog catalog, OpportunityWriter writer,
        CurrentUser caller, SalesAccess access, TimeProvider clock, IMemoryCache cache, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        ValidateTitle(request.Title, errors);
        ValidateMoney(request.Amount, request.Currency, errors, required: true);
        ValidateContact(request.ContactEmail, errors);
        ValidateTexts(errors, ("accountName", request.AccountName, 200), ("contactName", request.ContactName, 200), ("source", request.Source, 100), ("segment", request.Segment, 100));
        if (request.Probability is not null and not (>= 0 and <= 100))
        {
            errors["probability"] = ["The probability is a whole number from 0 to 100."];
        }

        if (request.ExpectedDecisionDate is { } date
            && date < (await OrganizationProfiles.CurrentAsync(db, cache, cancellationToken)).Calendar.Today(clock))
        {
            errors["expectedDecisionDate"] = ["The expected decision date cannot be before the opportunity's creation."];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var pipeline = await catalog.FindAsync(request.PipelineId, cancellationToken);
        if (pipeline is null)
        {
            return Problems.Unprocessable("pipelineId", "No such pipeline.");
        }

        var stage = request.StageId is { } stageId ? pipeline.OrderedStages.SingleOrDefault(s => s.Id == stageId) : pipeline.OrderedStages.First();
        if (stage is null)
        {
            return Problems.Unprocessable("stageId", "No such stage in this pipeline.");
        }

        var (ownerId, teamId, ownerProblem) = await ResolveOwnerAsync(request.OwnerId, db, caller, access, cancellationToken);
        if (ownerProblem is not null)
        {
            return ownerProblem;
        }

        var opportunity = writer.Create(
            new OpportunityWriter.NewOpportunity(request.Title!.Trim(), Trim(request.AccountName), Trim(request.ContactName), Trim(request.ContactEmail),
                request.Amount!.Value, request.Currency!, request.ExpectedDecisionDate, Trim(request.Source), Trim(request.Segment), request.Probability),
            pipeline, stage, ownerId, teamId, caller.Id);
        await db.SaveChangesAsync(cancellationToken);
        http.Response.Headers.ETag = Versions.ETag(opportunity.Version);
        return TypedResults.Created($"/api/opportunities/{opportunity.Id}", OpportunityResponse.From(opportunity));
    }

    private static async Task<IResult> GetAsync(Guid id, OpportunityDbContext db, SalesAccess access, HttpContext http, CancellationToken cancellationToken)
    {
        var (opportunity, problem) = await DealAccess.ReadableAsync(id, db, access, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        http.Response.Headers.ETag = Versions.ETag(opportunity!.Version);
        return TypedResults.Ok(OpportunityResponse.From(opportunity));
    }

    private static async Task<IResult> PatchAsync(
        Guid id, JsonElement body, OpportunityDbContext db, OpportunityWriter writer, CurrentUser caller, SalesAccess access,
        IMemoryCache cache, HttpContext http, CancellationToken cancellationToken)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return Problems.Invalid("body", "A JSON object with the fields to change is expected.");
        }

        return await ChangeAsync(id, db, access, http, cancellationToken, async opportunity =>
        {
            var calendar = (await OrganizationProfiles.CurrentAsync(db, cache, cancellationToken)).Calendar;
            var patch = OpportunityPatch.Read(body, opportunity, calendar);
            if (patch.Errors.Count > 0)
            {
                return Problems.Invalid(patch.Errors);
            }

            if (patch.OwnerId is { } newOwner && newOwner != opportunity.OwnerId)
            {
                var (ownerId, teamId, problem) = await ResolveOwnerAsync(newOwner, db, caller, access, cancellationToken);
                if (problem is not null)
                {
                    return problem;
                }

                patch.OwnerId = ownerId;
                patch.TeamId = teamId;
            }

            if (patch.ChangesPipelineFigures(opportunity) && opportunity.CannotChangeFigures() is { } closed)
            {
                return Problems.Unprocessable("status", closed);
            }

            patch.StageProbability = await db.Stages.Where(s => s.Id == opportunity.StageId).Select(s => s.Probability).SingleAsync(cancellationToken);
            writer.Update(opportunity, patch.ApplyTo, caller.Id);
            return null;
        });
    }

    private static Task<IResult> MoveAsync(
        Guid id, MoveRequest request, OpportunityDbContext db, PipelineCatalog catalog, OpportunityWriter writer, CurrentUser caller,
        SalesAccess access, HttpContext http, CancellationToken cancellationToken) =>
        ChangeAsync(id, db, access, http, cancellationToken, async opportunity =>
        {
            if (request.StageId is null)
            {
                return Problems.Invalid("stageId", "The stage to move to is required.");
            }

            if (opportunity.CannotMove() is { } closed)
            {
                return Problems.Unprocessable("status", closed);
            }

            var pipeline = (await catalog.FindAsync(opportunity.PipelineId, cancellationToken))!;
            var to = pipeline.OrderedStages.SingleOrDefault(s => s.Id == request.StageId);
            if (to is null)
            {
                return Problems.Unprocessable("stageId", "No such stage in this opportunity's pipeline.");
            }

            if (to.Id != opportunity.StageId)
            {
                writer.MoveToStage(opportunity, pipeline.Stages.Single(s => s.Id == opportunity.StageId), to, caller.Id);
            }

            return null;
        });

    private static Task<IResult> WinAsync(
        Guid id, OpportunityDbContext db, OpportunityWriter writer, CurrentUser caller, SalesAccess access, HttpContext http, CancellationToken cancellationToken) =>
        ChangeAsync(id, db, access, http, cancellationToken, opportunity =>
        {
            if (opportunity.CannotClose() is { } closed)
            {
                return Task.FromResult<IResult?>(Problems.Unprocessable("status", closed));
            }

            writer.Win(opportunity, caller.Id);
            return Task.FromResult<IResult?>(null);
        });

    private static Task<IResult> LoseAsync(
        Guid id, LoseRequest request, OpportunityDbContext db, OpportunityWriter writer, CurrentUser caller, SalesAccess access,
        HttpContext http, CancellationToken cancellationToken) =>
        ChangeAsync(id, db, access, http, cancellationToken, opportunity =>
        {
            if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Trim().Length > 500)
            {
                return Task.FromResult<IResult?>(Problems.Invalid("reason", "A reason of 1 to 500 characters is required."));
            }

            if (opportunity.CannotClose() is { } closed)
            {
                return Task.FromResult<IResult?>(Problems.Unprocessable("status", closed));
            }

            writer.Lose(opportunity, request.Reason.Trim(), caller.Id);
            return Task.FromResult<IResult?>(null);
        });

    private static Task<IResult> ReopenAsync(
        Guid id, OpportunityDbContext db, PipelineCatalog catalog, OpportunityWriter writer, CurrentUser caller, SalesAccess access,
        HttpContext http, CancellationToken cancellationToken) =>
        ChangeAsync(id, db, access, http, cancellationToken, async opportunity =>
        {
            if (opportunity.CannotReopen() is { } open)
            {
                return Problems.Unprocessable("status", open);
            }

            var pipeline = (await catalog.FindAsync(opportunity.PipelineId, cancellationToken))!;
            writer.Reopen(opportunity, opportunity.ReopenedIn(pipeline), caller.Id);
            return null;
        });

    private static async Task<IResult> HistoryAsync(
        Guid id, OpportunityDbContext db, SalesAccess access, string? cursor, int? limit, CancellationToken cancellationToken)
    {
        if ((await DealAccess.ReadableAsync(id, db, access, cancellationToken)).Problem is { } problem)
        {
            return problem;
        }

        var size = limit ?? 100;
        if (size is < 1 or > 500)
        {
            return Problems.Invalid("limit", "The page size is from 1 to 500.");
        }

        var after = long.TryParse(cursor, out var last) ? last : 0;
        var entries = await db.History.AsNoTracking().Where(h => h.OpportunityId == id && h.Id > after)
            .OrderBy(h => h.Id).Take(size + 1).ToListAsync(cancellationToken);
        var page = entries.Take(size).Select(h => new HistoryResponse(
            h.Version, h.Kind, h.Field, h.OldValue, h.NewValue, h.FromStageId, h.ToStageId,
            h.TimeInPreviousStage?.TotalSeconds, h.ActorId, h.OccurredAt)).ToList();
        return TypedResults.Ok(new Page<HistoryResponse>(page, entries.Count > size ? entries[size - 1].Id.ToString() : null));
    }

    public sealed record HistoryResponse(
        long Version, string Kind, string Field, string? OldValue, string? NewValue, Guid? FromStageId, Guid? ToStageId,
        double? SecondsInPreviousStage, string? ActorId, DateTimeOffset OccurredAt);

    /// <summary>
    /// Loads the opportunity, checks access and If-Match, applies the change and saves; a concurrent change that
    /// slipped in between answers 409. <paramref name="change"/> returns a problem to stop, or null to save.
    /// </summary>
    private static async Task<IResult> ChangeAsync(
        Guid id, OpportunityDbContext db, SalesAccess access, HttpContext http, CancellationToken cancellationToken,
        Func<Opportunity, Task<IResult?>> change)
    {
        var opportunity = await db.Opportunities.SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (opportunity is null)
        {
            return Problems.NotFound("Opportunity");
        }

        if (DealAccess.ChangeRefusal(opportunity, access) is { } refusal)
        {
            return refusal;
        }

        if (!Versions.Matches(http.Request, opportunity.Version))
        {
            return Problems.Stale(opportunity.Version);
        }

        if (await change(opportunity) is { } problem)
        {
            return problem;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Conflict("Someone else changed this opportunity at the same moment: read it again and retry.");
        }

        http.Response.Headers.ETag = Versions.ETag(opportunity.Version);
        return TypedResults.Ok(OpportunityResponse.From(opportunity));
    }

    /// <summary>The owner of a new or reassigned deal: the caller by default; someone else only if the caller may assign them.</summary>
    private static async Task<(string OwnerId, Guid? TeamId, IResult? Problem)> ResolveOwnerAsync(
        string? requested, OpportunityDbContext db, CurrentUser caller, SalesAccess access, CancellationToken cancellationToken)
    {
        if (requested is null || requested == caller.Id)
        {
            return (caller.Id, caller.TeamId, null);
        }

        var owner = await db.Directory.AsNoTracking().SingleOrDefaultAsync(u => u.UserId == requested && u.Active, cancellationToken);
        if (owner is null)
        {
            return (requested, null, Problems.Unprocessable("ownerId", "No such active user in this organisation."));
        }

        return access.CanAssignTo(owner.UserId, owner.TeamId)
            ? (owner.UserId, owner.TeamId, null)
            : (requested, null, Problems.Forbidden("A rep owns their own deals; a manager assigns within their team."));
    }

    internal static void ValidateTitle(string? title, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(title))
        {
            errors["title"] = ["A title is required."];
        }
        else if (title.Trim().Length > TitleMaxLength)
        {
            errors["title"] = [$"The title has at most {TitleMaxLength} characters."];
        }
    }

    internal static void ValidateMoney(decimal? amount, string? currency, Dictionary<string, string[]> errors, bool required)
    {
        if (amount is null && required)
        {
            errors["amount"] = ["An amount is required."];
        }
        else if (amount is < 0 or > 1_000_000_000_000m)
        {
            errors["amount"] = ["The amount is from 0 to 1,000,000,000,000."];
        }
        else if (amount is { } value && decimal.Round(value, 2) != value)
        {
            errors["amount"] = ["The amount has at most two decimals."];
        }

        if ((currency is not null || required) && !Currencies.IsKnown(currency))
        {
            errors["currency"] = ["The currency is an ISO 4217 code, e.g. EUR or USD."];
        }
    }

    internal static void ValidateContact(string? email, Dictionary<string, string[]> errors)
    {
        if (!string.IsNullOrWhiteSpace(email) && (!MailAddress.TryCreate(email.Trim(), out _) || email.Length > 320))
        {
            errors["contactEmail"] = ["The contact's e-mail address is not valid."];
        }
    }

    internal static void ValidateTexts(Dictionary<string, string[]> errors, params (string Field, string? Value, int Max)[] texts)
    {
        foreach (var (field, value, max) in texts)
        {
            if (value is not null && value.Trim().Length > max)
            {
                errors[field] = [$"At most {max} characters."];
            }
        }
    }

    internal static string? Trim(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
