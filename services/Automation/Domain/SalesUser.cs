using Pipeline.Contracts;
using Pipeline.Messaging.Tenancy;

namespace Pipeline.Automation.Domain;

/// <summary>A member of the organisation as identity last described them: who "the owner", "the manager" and "the team" are.</summary>
public sealed class SalesUser : ITenantOwned
{
    public const string ManagerRole = "manager";

    public required string UserId { get; init; }

    public Guid OrganizationId { get; init; }

    public Guid? TeamId { get; set; }

    public string? TeamName { get; set; }

    public required string Role { get; set; }

    public required string Name { get; set; }

    public required string Email { get; set; }

    public bool Active { get; set; }

    /// <summary>When identity published the description held; an older one arriving late is ignored.</summary>
    public DateTimeOffset ChangedAt { get; set; }

    /// <summary>False when <paramref name="message"/> is older than what is held.</summary>
    public bool Apply(UserChanged message)
    {
        if (message.OccurredAt < ChangedAt)
        {
            return false;
        }

        ChangedAt = message.OccurredAt;
        TeamId = message.TeamId;
        TeamName = message.TeamName;
        Role = message.Role;
        Name = message.Name;
        Email = message.Email;
        Active = message.Active;
        return true;
    }
}
