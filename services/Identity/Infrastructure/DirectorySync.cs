using Microsoft.EntityFrameworkCore;
using Pipeline.Messaging;

namespace Pipeline.Identity.Infrastructure;

/// <summary>
/// Publishes every organisation's settings and every user once more at each release (the migration step): a service
/// whose local copy was rebuilt, missed an event or is new (its first release) catches up before it serves. Consumers
/// keep the newest version or upsert, so a repeat changes nothing.
/// </summary>
internal sealed class DirectorySync(IdentityDbContext db) : IDatabaseSeeder
{
    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        foreach (var organization in await db.Organizations.AsNoTracking().ToListAsync(cancellationToken))
        {
            db.Publish(OrganizationEvents.Changed(organization, actorId: null));
        }

        var teams = await db.Teams.IgnoreQueryFilters().ToDictionaryAsync(t => t.Id, t => t.Name, cancellationToken);
        foreach (var user in await db.Users.IgnoreQueryFilters().AsNoTracking().ToListAsync(cancellationToken))
        {
            db.Publish(UserEvents.Changed(user, user.TeamId is { } team ? teams.GetValueOrDefault(team) : null, actorId: null));
        }

        await db.SaveChangesAsync(cancellationToken);
    }
}
