using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Notification.Infrastructure;

namespace Pipeline.Notification.Domain;

/// <summary>Who a notification's recipients are, from the local directory: active users only, each once.</summary>
public static class Recipients
{
    public static async Task<(List<DirectoryUser> Users, List<NotificationRecipient> Outsiders)> ResolveAsync(
        NotificationDbContext db, IReadOnlyList<NotificationRecipient> recipients, List<string> skipped, CancellationToken cancellationToken)
    {
        var users = new Dictionary<string, DirectoryUser>();
        var outsiders = new List<NotificationRecipient>();
        foreach (var recipient in recipients)
        {
            if (recipient.UserId is { } userId)
            {
                var user = await db.Directory.AsNoTracking().SingleOrDefaultAsync(u => u.UserId == userId, cancellationToken);
                if (user is { Active: true })
                {
                    users.TryAdd(user.UserId, user);
                }
                else
                {
                    skipped.Add($"user:{userId}: {(user is null ? "not a user of the organisation" : "no longer active")}");
                }
            }
            else if (recipient.TeamId is not null || recipient.Role is not null)
            {
                // A team and a role (the team's managers), a team alone (everyone in it), a role alone (e.g. the admins).
                var query = db.Directory.AsNoTracking().Where(u => u.Active);
                if (recipient.TeamId is { } team)
                {
                    query = query.Where(u => u.TeamId == team);
                }

                if (recipient.Role is { } role)
                {
                    query = query.Where(u => u.Role == role);
                }

                var found = await query.ToListAsync(cancellationToken);
                if (found.Count == 0)
                {
                    skipped.Add($"team:{recipient.TeamId?.ToString() ?? "any"} role:{recipient.Role ?? "any"}: nobody active");
                }

                foreach (var user in found)
                {
                    users.TryAdd(user.UserId, user);
                }
            }
            else if (!string.IsNullOrWhiteSpace(recipient.Email))
            {
                if (outsiders.All(o => !string.Equals(o.Email, recipient.Email, StringComparison.OrdinalIgnoreCase)))
                {
                    outsiders.Add(recipient with { Email = recipient.Email.Trim() });
                }
            }
            else
            {
                skipped.Add("a recipient with no user, team, role or address");
            }
        }

        return (users.Values.ToList(), outsiders);
    }
}
