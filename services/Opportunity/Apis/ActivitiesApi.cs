using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Pipeline.Messaging.Organizations;
using Pipeline.Opportunity.Domain;
using Pipeline.Opportunity.Infrastructure;
using Pipeline.ServiceDefaults;

namespace Pipeline.Opportunity.Apis;

/// <param name="DueAt">A time (a call at 10:00).</param>
/// <param name="DueDate">Or a day without a time (a task for Friday): overdue once that day has ended in the organisation's time zone.</param>
public sealed record ScheduleActivityRequest(string? Type, string? Subject, DateTimeOffset? DueAt, string? AssigneeId, DateOnly? DueDate = null);

/// <summary>
/// Follow-ups on a deal (calls, e-mails, meetings, tasks) and each user's agenda of open ones. Completing one
/// resets the deal's stale clock.
/// </summary>
public static class ActivitiesApi
{
    public const int SubjectMaxLength = 200;

    public static IEndpointRouteBuilder MapActivitiesApi(this IEndpointRouteBuilder app)
    {
        var onDeal = app.MapGroup("/api/opportunities/{id:guid}/activities").WithTags("Activities");
        onDeal.MapGet("/", ListForDealAsync).WithName("ListOpportunityActivities").Answers<Page<ActivityResponse>>(StatusCodes.Status200OK, 400, 403, 404).WithSummary("The opportunity's activities, open and done, soonest due first.");
        onDeal.MapPost("/", ScheduleAsync).WithName("ScheduleActivity").Answers<ActivityResponse>(StatusCodes.Status201Created, 400, 403, 404, 422).WithSummary("Schedules a call, e-mail, meeting or task on the opportunity (for the caller unless told otherwise).");

        var activities = app.MapGroup("/api/activities").WithTags("Activities");
        activities.MapGet("/", ActivityAgendaApi.ListAsync).WithName("GetAgenda").Answers<Page<ActivityResponse>>(StatusCodes.Status200OK, 400).WithSummary("A user's open activities (assignee=me by default), filtered by due=overdue|today|upcoming.");
        activities.MapGet("/{id:guid}", GetAsync).WithName("GetActivity").Answers<ActivityResponse>(StatusCodes.Status200OK, 403, 404).WithSummary("One activity.");
        activities.MapPost("/{id:guid}/complete", CompleteAsync).WithName("CompleteActivity").Answers<ActivityResponse>(StatusCodes.Status200OK, 403, 404, 422).WithSummary("Marks an activity done; resets the opportunity's stale clock.");
        return app;
    }

    private static async Task<IResult> ListForDealAsync(
        Guid id, string? cursor, int? limit, OpportunityDbContext db, SalesAccess access, CancellationToken cancellationToken)
    {
        var (_, refused) = await DealAccess.ReadableAsync(id, db, access, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var errors = new Dictionary<string, string[]>();
        var after = ActivityPages.Read(cursor, limit, errors);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        return TypedResults.Ok(await ActivityPages.PageAsync(db.Activities.AsNoTracking().Where(a => a.OpportunityId == id), after, limit, cancellationToken));
    }

    private static async Task<IResult> ScheduleAsync(
        Guid id, ScheduleActivityRequest request, OpportunityDbContext db, SalesAccess access, CurrentUser caller, TimeProvider clock,
        IMemoryCache cache, CancellationToken cancellationToken)
    {
        var (opportunity, refused) = await DealAccess.ChangeableAsync(id, db, access, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var errors = new Dictionary<string, string[]>();
        if (request.Type is null || !ActivityTypes.All.Contains(request.Type))
        {
            errors["type"] = [$"The type is one of {string.Join(", ", ActivityTypes.All)}."];
        }

        if (string.IsNullOrWhiteSpace(request.Subject) || request.Subject.Trim().Length > SubjectMaxLength)
        {
            errors["subject"] = [$"A subject of 1 to {SubjectMaxLength} characters is required."];
        }

        if (request.AssigneeId is { Length: 0 or > 100 })
        {
            errors["assigneeId"] = ["The assignee is a user id; leave it out to take the activity yourself."];
        }

        if (request is { DueAt: not null, DueDate: not null })
        {
            errors["dueDate"] = ["Give a due time (dueAt) or a due day (dueDate), not both."];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var assignee = request.AssigneeId ?? caller.Id;
        if (!await db.Directory.AnyAsync(u => u.UserId == assignee && u.Active, cancellationToken))
        {
            return Problems.Unprocessable("assigneeId", "No such active user in this organisation.");
        }

        var activity = new SalesActivity
        {
            Id = Guid.NewGuid(),
            OrganizationId = opportunity!.OrganizationId,
            OpportunityId = opportunity.Id,
            Type = request.Type!,
            Subject = request.Subject!.Trim(),
            // PostgreSQL keeps instants, not offsets: a due time sent as 10:00+02:00 comes back as 08:00Z.
            DueAt = request.DueDate is { } day
                ? (await OrganizationProfiles.CurrentAsync(db, cache, cancellationToken)).Calendar.EndOf(day)
                : request.DueAt?.ToUniversalTime(),
            DueDate = request.DueDate,
            AssigneeId = assignee,
            CreatedAt = clock.GetUtcNow(),
            CreatedBy = caller.Id,
        };
        db.Activities.Add(activity);
        db.Publish(ActivityEvents.Scheduled(activity, caller.Id));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/activities/{activity.Id}", ActivityResponse.From(activity));
    }

    private static async Task<IResult> GetAsync(Guid id, OpportunityDbContext db, SalesAccess access, CurrentUser caller, CancellationToken cancellationToken)
    {
        var activity = await db.Activities.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (activity is null)
        {
            return Problems.NotFound("Activity");
        }

        if (activity.AssigneeId == caller.Id)
        {
            return TypedResults.Ok(ActivityResponse.From(activity));
        }

        var (_, refused) = await DealAccess.ReadableAsync(activity.OpportunityId, db, access, cancellationToken);
        return refused ?? TypedResults.Ok(ActivityResponse.From(activity));
    }

    /// <summary>
    /// The assignee completes their activity, and so may whoever may change the deal. The stale clock moves
    /// forward without a new version of the deal: an activity is not a change of the deal's terms, and a rep
    /// logging a call must not make a colleague's edit of the amount fail with 412.
    /// </summary>
    private static async Task<IResult> CompleteAsync(
        Guid id, OpportunityDbContext db, SalesAccess access, CurrentUser caller, TimeProvider clock, CancellationToken cancellationToken)
    {
        var activity = await db.Activities.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (activity is null)
        {
            return Problems.NotFound("Activity");
        }

        if (activity.AssigneeId != caller.Id)
        {
            var (_, refused) = await DealAccess.ChangeableAsync(activity.OpportunityId, db, access, cancellationToken);
            if (refused is not null)
            {
                return refused;
            }
        }

        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Conditional, so that of two completions racing only one publishes ActivityCompleted.
        var completed = await db.Activities.Where(a => a.Id == id && !a.Done)
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.Done, true).SetProperty(a => a.CompletedAt, now), cancellationToken);
        if (completed == 0)
        {
            return Problems.Unprocessable("done", "The activity is already done.");
        }

        await db.Opportunities.Where(o => o.Id == activity.OpportunityId)
            .ExecuteUpdateAsync(set => set.SetProperty(o => o.LastActivityAt, o => o.LastActivityAt > now ? o.LastActivityAt : now), cancellationToken);
        activity.Done = true;
        activity.CompletedAt = now;
        db.Publish(ActivityEvents.Completed(activity, caller.Id));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(ActivityResponse.From(activity));
    }
}
