using Pipeline.ServiceDefaults;

namespace Pipeline.Opportunity.Domain;

/// <summary>
/// Who may see and change which opportunity (SPEC §1): a rep works their own and reads their team's, a manager
/// reads and changes their team's, an admin everything in the organisation. (Another organisation's deals are
/// not even visible: the DbContext filters them out.)
/// </summary>
public sealed class SalesAccess(CurrentUser user)
{
    public string UserId => user.Id;

    public bool CanRead(Opportunity o) => user.IsAdmin || o.OwnerId == user.Id || (user.TeamId is { } team && o.TeamId == team);

    public bool CanChange(Opportunity o) => user.IsAdmin || o.OwnerId == user.Id || (user.IsManager && user.TeamId is { } team && o.TeamId == team);

    public IQueryable<Opportunity> Visible(IQueryable<Opportunity> opportunities)
    {
        if (user.IsAdmin)
        {
            return opportunities;
        }

        var id = user.Id;
        var team = user.TeamId;
        return opportunities.Where(o => o.OwnerId == id || (team != null && o.TeamId == team));
    }

    /// <summary>Whether the caller may make <paramref name="ownerId"/> (of <paramref name="ownerTeam"/>) the owner of a deal.</summary>
    public bool CanAssignTo(string ownerId, Guid? ownerTeam) =>
        ownerId == user.Id || user.IsAdmin || (user.IsManager && user.TeamId is { } team && ownerTeam == team);
}
