using Microsoft.EntityFrameworkCore;
using Pipeline.Messaging.Organizations;
using Pipeline.Opportunity.Infrastructure;

namespace Pipeline.Opportunity.Consumers;

/// <summary>
/// When an organisation moves to another time zone, its open activities due on a day (not at a time) become due at
/// the end of that day in the new zone, so they turn overdue at the organisation's new midnight.
/// </summary>
public sealed class DueDatesFollowTheTimeZone(OpportunityDbContext db) : IOrganizationSettingsObserver
{
    public async Task OnChangedAsync(OrganizationProfile? before, OrganizationProfile after, CancellationToken cancellationToken)
    {
        if (before is null || before.TimeZone == after.TimeZone)
        {
            return;
        }

        var calendar = after.Calendar;
        foreach (var activity in await db.Activities.Where(a => a.DueDate != null && !a.Done).ToListAsync(cancellationToken))
        {
            activity.DueAt = calendar.EndOf(activity.DueDate!.Value);
        }
    }
}
