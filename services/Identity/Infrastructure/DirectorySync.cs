using Microsoft.EntityFrameworkCore;
using Pipeline.Messaging;

namespace Pipeline.Identity.Infrastructure;

/// <summary>
/// Publishes every user once more at each release (the migration step): a service whose local directory was
/// rebuilt or missed an event catches up. Consumers upsert, so a repeat changes nothing.
/// </summary>
internal sealed class DirectorySync(IdentityDbContext db) : IDatabaseSeeder
{
    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        var teams = await db.Teams.IgnoreQueryFilters().ToDictionaryAsync(t => t.Id, t => t.Name, cancellationToken);
        foreach (var user in await db.Users.IgnoreQueryFilters().AsNoTracking().ToListAsync(cancellationToken))
        {
            db.Publish(UserEvents.Changed(user, user.TeamId is { } team ? teams.GetValueOrDefault(team) : null, actorId: null));
        }

        await db.SaveChangesAsync(cancellationToken);
    }
}
