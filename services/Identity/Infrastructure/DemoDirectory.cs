using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Identity.Domain;
using Pipeline.Messaging;
using Pipeline.ServiceDefaults;

namespace Pipeline.Identity.Infrastructure;

/// <summary>
/// The demo organisations of SPEC §1, seeded in the local profile only (the Development environment) and never
/// elsewhere. Ids are fixed so that the same people own the same deals across runs and services.
/// </summary>
public static class DemoDirectory
{
    public static readonly Guid Acme = new("a0000000-0000-0000-0000-000000000001");
    public static readonly Guid Globex = new("b0000000-0000-0000-0000-000000000001");
    public static readonly Guid AcmeEast = new("a0000000-0000-0000-0000-0000000000e1");
    public static readonly Guid AcmeWest = new("a0000000-0000-0000-0000-0000000000e2");

    public sealed record DemoUser(Guid Id, Guid Organization, Guid? Team, string Email, string Name, string Role);

    public static readonly DemoUser[] Users =
    [
        new(new("a0000000-0000-0000-0000-00000000a001"), Acme, AcmeEast, "alice@acme.test", "Alice Martin", Roles.Rep),
        new(new("a0000000-0000-0000-0000-00000000a002"), Acme, AcmeEast, "bob@acme.test", "Bob Durand", Roles.Rep),
        new(new("a0000000-0000-0000-0000-00000000a003"), Acme, AcmeWest, "carol@acme.test", "Carol Petit", Roles.Rep),
        new(new("a0000000-0000-0000-0000-00000000a004"), Acme, AcmeEast, "maria@acme.test", "Maria Lopez", Roles.Manager),
        new(new("a0000000-0000-0000-0000-00000000a005"), Acme, null, "admin@acme.test", "Acme Admin", Roles.Admin),
        new(new("b0000000-0000-0000-0000-00000000b001"), Globex, null, "eve@globex.test", "Eve Moreau", Roles.Admin),
    ];
}

internal sealed class DemoDirectorySeeder(IdentityDbContext db, IConfiguration configuration, IHostEnvironment environment, IPasswordHasher<User> hasher)
    : IDatabaseSeeder
{
    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        if (!environment.IsDevelopment())
        {
            return;
        }

        var password = configuration["DemoData:Password"] ?? "demo-password";
        await EnsureOrganizationAsync(DemoDirectory.Acme, "Acme", "EUR", "Europe/Paris", cancellationToken);
        await EnsureOrganizationAsync(DemoDirectory.Globex, "Globex", "USD", "America/New_York", cancellationToken);
        await EnsureTeamAsync(DemoDirectory.AcmeEast, DemoDirectory.Acme, "East", cancellationToken);
        await EnsureTeamAsync(DemoDirectory.AcmeWest, DemoDirectory.Acme, "West", cancellationToken);
        await db.SaveChangesAsync(cancellationToken);

        foreach (var demo in DemoDirectory.Users)
        {
            var user = await db.Users.IgnoreQueryFilters().SingleOrDefaultAsync(u => u.Id == demo.Id, cancellationToken);
            if (user is null)
            {
                user = new User { Id = demo.Id, OrganizationId = demo.Organization, TeamId = demo.Team, Email = demo.Email, Name = demo.Name, Role = demo.Role };
                db.Users.Add(user);
            }

            // The demo password follows configuration, so changing it takes effect at the next start.
            if (user.PasswordHash is null || hasher.VerifyHashedPassword(user, user.PasswordHash, password) == PasswordVerificationResult.Failed)
            {
                user.PasswordHash = hasher.HashPassword(user, password);
            }

        }

        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task EnsureOrganizationAsync(Guid id, string name, string currency, string timeZone, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (organization is null)
        {
            db.Organizations.Add(new Organization { Id = id, Name = name, Currency = currency, TimeZone = timeZone });
        }
        else if (organization is { Version: 1, TimeZone: "UTC" } && timeZone != "UTC")
        {
            // A demo organisation seeded before organisations had a time zone: give it its own, once.
            organization.TimeZone = timeZone;
            organization.Version++;
        }
    }

    private async Task EnsureTeamAsync(Guid id, Guid organization, string name, CancellationToken cancellationToken)
    {
        if (!await db.Teams.IgnoreQueryFilters().AnyAsync(t => t.Id == id, cancellationToken))
        {
            db.Teams.Add(new Team { Id = id, OrganizationId = organization, Name = name });
        }
    }
}

internal static class OrganizationEvents
{
    public static OrganizationChanged Changed(Organization organization, string? actorId) => new()
    {
        OrganizationId = organization.Id,
        ActorId = actorId,
        Name = organization.Name,
        Currency = organization.Currency.Trim(),
        TimeZone = organization.TimeZone,
        FiscalYearStartMonth = organization.FiscalYearStartMonth,
        Version = organization.Version,
    };
}

internal static class UserEvents
{
    public static UserChanged Changed(User user, string? teamName, string? actorId) => new()
    {
        OrganizationId = user.OrganizationId,
        ActorId = actorId,
        UserId = user.Id.ToString(),
        TeamId = user.TeamId,
        TeamName = teamName,
        Role = user.Role,
        Name = user.Name,
        Email = user.Email,
        Active = user.Active,
    };
}
