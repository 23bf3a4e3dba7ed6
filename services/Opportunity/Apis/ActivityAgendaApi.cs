using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Pipeline.Messaging.Organizations;
using Pipeline.Opportunity.Domain;
using Pipeline.Opportunity.Infrastructure;
using Pipeline.ServiceDefaults;

namespace Pipeline.Opportunity.Apis;

/// <summary>
/// <c>GET /api/activities</c>: a user's open activities in agenda order. <c>due=overdue</c> is what is past due
/// now; <c>today</c> is the whole day's plan in the organisation's time zone, including what is already overdue
/// today; <c>upcoming</c> starts at the organisation's next midnight. Activities without a due date appear only
/// without a due filter. A user sees all activities assigned to them; someone else's only on deals the caller may read.
/// </summary>
public static class ActivityAgendaApi
{
    public static readonly string[] DueFilters = ["overdue", "today", "upcoming"];

    public static async Task<IResult> ListAsync(
        string? assignee, string? due, string? cursor, int? limit, OpportunityDbContext db, SalesAccess access, CurrentUser caller,
        TimeProvider clock, IMemoryCache cache, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (assignee is { Length: 0 or > 100 })
        {
            errors["assignee"] = ["The assignee is 'me' or a user id."];
        }

        if (due is not null && !DueFilters.Contains(due))
        {
            errors["due"] = [$"Due is one of {string.Join(", ", DueFilters)}."];
        }

        var after = ActivityPages.Read(cursor, limit, errors);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var assigneeId = assignee is null or "me" ? caller.Id : assignee;
        var activities = db.Activities.AsNoTracking().Where(a => a.AssigneeId == assigneeId && !a.Done);
        if (assigneeId != caller.Id)
        {
            var readable = access.Visible(db.Opportunities).Select(o => o.Id);
            activities = activities.Where(a => readable.Contains(a.OpportunityId));
        }

        var now = clock.GetUtcNow();
        var calendar = (await OrganizationProfiles.CurrentAsync(db, cache, cancellationToken)).Calendar;
        var today = calendar.StartOf(calendar.DayOf(now));
        var tomorrow = calendar.StartOf(calendar.DayOf(now).AddDays(1));
        activities = due switch
        {
            "overdue" => activities.Where(a => a.DueAt < now),
            "today" => activities.Where(a => a.DueAt >= today && a.DueAt < tomorrow),
            "upcoming" => activities.Where(a => a.DueAt >= tomorrow),
            _ => activities,
        };
        return TypedResults.Ok(await ActivityPages.PageAsync(activities, after, limit, cancellationToken));
    }
}
