using Microsoft.EntityFrameworkCore;
using Pipeline.Opportunity.Domain;
using Pipeline.Opportunity.Infrastructure;

namespace Pipeline.Opportunity.Apis;

// The sales domain's Opportunity: from inside namespace Pipeline.Opportunity, C# would find the namespace first.
using Opportunity = Pipeline.Opportunity.Domain.Opportunity;

/// <summary>
/// What hangs off an opportunity (quotes, activities) is read and changed by whoever may read or change the
/// opportunity itself: 404 when it is unknown or another organisation's, 403 when it is the organisation's but
/// not the caller's to see or change.
/// </summary>
internal static class DealAccess
{
    public static async Task<(Opportunity? Opportunity, IResult? Problem)> ReadableAsync(
        Guid opportunityId, OpportunityDbContext db, SalesAccess access, CancellationToken cancellationToken)
    {
        var opportunity = await db.Opportunities.AsNoTracking().SingleOrDefaultAsync(o => o.Id == opportunityId, cancellationToken);
        if (opportunity is null)
        {
            return (null, Problems.NotFound("Opportunity"));
        }

        return access.CanRead(opportunity) ? (opportunity, null) : (null, Problems.Forbidden("This opportunity belongs to another team."));
    }

    public static async Task<(Opportunity? Opportunity, IResult? Problem)> ChangeableAsync(
        Guid opportunityId, OpportunityDbContext db, SalesAccess access, CancellationToken cancellationToken)
    {
        var opportunity = await db.Opportunities.AsNoTracking().SingleOrDefaultAsync(o => o.Id == opportunityId, cancellationToken);
        if (opportunity is null)
        {
            return (null, Problems.NotFound("Opportunity"));
        }

        return (opportunity, ChangeRefusal(opportunity, access));
    }

    /// <summary>Why the caller may not change <paramref name="opportunity"/>, or null when they may.</summary>
    public static IResult? ChangeRefusal(Opportunity opportunity, SalesAccess access) =>
        access.CanChange(opportunity) ? null
        : access.CanRead(opportunity) ? Problems.Forbidden("Only its owner, their team's manager or an admin can change this opportunity.")
        : Problems.Forbidden("This opportunity belongs to another team.");
}
