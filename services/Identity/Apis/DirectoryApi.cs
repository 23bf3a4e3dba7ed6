using System.Net.Mail;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using Pipeline.Identity.Domain;
using Pipeline.Identity.Infrastructure;
using Pipeline.ServiceDefaults;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Pipeline.Identity.Apis;

public sealed record UserResponse(Guid Id, string Email, string Name, string Role, Guid? TeamId, bool Active);

public sealed record UserRequest(string? Email, string? Name, string? Role, Guid? TeamId, bool? Active, string? Password);

public sealed record TeamResponse(Guid Id, string Name);

public sealed record TeamRequest(string? Name);

public sealed record ClientRequest(string? Name, string? Role);

public sealed record ClientResponse(string ClientId, string Name, string Role, DateTimeOffset CreatedAt, string? ClientSecret = null);

/// <summary>
/// The organisation's directory: users, teams and API clients. Everyone reads; admins change. Every query is
/// scoped to the caller's organisation by the DbContext: another organisation's id is simply not found (404).
/// </summary>
public static class DirectoryApi
{
    public static IEndpointRouteBuilder MapDirectoryApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/identity/me", GetMeAsync).WithName("GetMe").WithTags("Directory").Refusals().WithSummary("The signed-in user.");

        var users = app.MapGroup("/api/users").WithTags("Directory");
        users.MapGet("/", ListUsersAsync).WithName("ListUsers").Refusals().WithSummary("Users of the organisation.");
        users.MapGet("/{id:guid}", GetUserAsync).WithName("GetUser").Refusals().WithSummary("One user.");
        users.MapPost("/", CreateUserAsync).WithName("CreateUser").RequireAuthorization(Policies.Admin).Refusals(403, 409).WithSummary("Adds a user (admin).");
        users.MapPut("/{id:guid}", UpdateUserAsync).WithName("UpdateUser").RequireAuthorization(Policies.Admin).Refusals(403).WithSummary("Changes a user's name, role, team or access (admin).");

        var teams = app.MapGroup("/api/teams").WithTags("Directory");
        teams.MapGet("/", ListTeamsAsync).WithName("ListTeams").Refusals().WithSummary("Teams of the organisation.");
        teams.MapPost("/", CreateTeamAsync).WithName("CreateTeam").RequireAuthorization(Policies.Admin).Refusals(403, 409).WithSummary("Adds a team (admin).");

        var clients = app.MapGroup("/api/clients").WithTags("Directory").RequireAuthorization(Policies.Admin);
        clients.MapGet("/", ListClientsAsync).WithName("ListClients").Refusals(403).WithSummary("API clients of the organisation (admin).");
        clients.MapPost("/", RegisterClientAsync).WithName("RegisterClient").Refusals(403).WithSummary("Registers an API client; its secret is shown once (admin).");
        clients.MapDelete("/{clientId}", RevokeClientAsync).WithName("RevokeClient").Refusals(403).WithSummary("Revokes an API client (admin).");
        return app;
    }

    private static async Task<Results<Ok<UserResponse>, NotFound>> GetMeAsync(CurrentUser caller, IdentityDbContext db, CancellationToken cancellationToken)
    {
        var user = Guid.TryParse(caller.Id, out var id) ? await db.Users.FindAsync([id], cancellationToken) : null;
        return user is null ? TypedResults.NotFound() : TypedResults.Ok(ToResponse(user));
    }

    private static async Task<Ok<List<UserResponse>>> ListUsersAsync(IdentityDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Users.AsNoTracking().OrderBy(u => u.Name)
            .Select(u => new UserResponse(u.Id, u.Email, u.Name, u.Role, u.TeamId, u.Active)).ToListAsync(cancellationToken));

    private static async Task<Results<Ok<UserResponse>, NotFound>> GetUserAsync(Guid id, IdentityDbContext db, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
        return user is null ? TypedResults.NotFound() : TypedResults.Ok(ToResponse(user));
    }

    private static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult>> CreateUserAsync(
        UserRequest request, IdentityDbContext db, CurrentUser caller, IPasswordHasher<User> hasher, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var email = request.Email?.Trim().ToLowerInvariant();
        if (email is null || !MailAddress.TryCreate(email, out _) || email.Length > 320)
        {
            errors["email"] = ["A valid e-mail address is required."];
        }

        ValidateProfile(request, errors, requireAll: true);
        if (request.Password is { Length: < 12 })
        {
            errors["password"] = ["A password has at least 12 characters."];
        }

        await ValidateTeamAsync(request.TeamId, db, errors, cancellationToken);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await db.Users.IgnoreQueryFilters().AnyAsync(u => u.Email == email, cancellationToken))
        {
            return TypedResults.Problem(title: "A user with this e-mail address already exists.", statusCode: StatusCodes.Status409Conflict);
        }

        var user = new User
        {
            Id = Guid.NewGuid(),
            OrganizationId = caller.OrganizationId,
            Email = email!,
            Name = request.Name!.Trim(),
            Role = request.Role!,
            TeamId = request.TeamId,
        };
        if (request.Password is { } password)
        {
            user.PasswordHash = hasher.HashPassword(user, password);
        }

        db.Users.Add(user);
        db.Publish(UserEvents.Changed(user, await TeamNameAsync(db, user.TeamId, cancellationToken), caller.Id));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/users/{user.Id}", ToResponse(user));
    }

    private static async Task<Results<Ok<UserResponse>, NotFound, ValidationProblem>> UpdateUserAsync(
        Guid id, UserRequest request, IdentityDbContext db, CurrentUser caller, IPasswordHasher<User> hasher, CancellationToken cancellationToken)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is null)
        {
            return TypedResults.NotFound();
        }

        var errors = new Dictionary<string, string[]>();
        ValidateProfile(request, errors, requireAll: false);
        await ValidateTeamAsync(request.TeamId, db, errors, cancellationToken);
        if (request.Email is not null && !string.Equals(request.Email.Trim(), user.Email, StringComparison.OrdinalIgnoreCase))
        {
            errors["email"] = ["The e-mail address is the login and cannot be changed."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        user.Name = request.Name?.Trim() ?? user.Name;
        user.Role = request.Role ?? user.Role;
        user.TeamId = request.TeamId ?? user.TeamId;
        user.Active = request.Active ?? user.Active;
        if (request.Password is { Length: >= 12 } password)
        {
            user.PasswordHash = hasher.HashPassword(user, password);
        }

        db.Publish(UserEvents.Changed(user, await TeamNameAsync(db, user.TeamId, cancellationToken), caller.Id));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ToResponse(user));
    }

    private static async Task<Ok<List<TeamResponse>>> ListTeamsAsync(IdentityDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Teams.AsNoTracking().OrderBy(t => t.Name).Select(t => new TeamResponse(t.Id, t.Name)).ToListAsync(cancellationToken));

    private static async Task<Results<Created<TeamResponse>, ValidationProblem, ProblemHttpResult>> CreateTeamAsync(
        TeamRequest request, IdentityDbContext db, CancellationToken cancellationToken)
    {
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 200)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = ["A team name of 1 to 200 characters is required."] });
        }

        if (await db.Teams.AnyAsync(t => t.Name == name, cancellationToken))
        {
            return TypedResults.Problem(title: "A team with this name already exists.", statusCode: StatusCodes.Status409Conflict);
        }

        var team = new Team { Id = Guid.NewGuid(), Name = name };
        db.Teams.Add(team);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/teams/{team.Id}", new TeamResponse(team.Id, team.Name));
    }

    private static async Task<Ok<List<ClientResponse>>> ListClientsAsync(IdentityDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.ApiClients.AsNoTracking().OrderBy(c => c.Name)
            .Select(c => new ClientResponse(c.ClientId, c.Name, c.Role, c.CreatedAt, null)).ToListAsync(cancellationToken));

    private static async Task<Results<Created<ClientResponse>, ValidationProblem>> RegisterClientAsync(
        ClientRequest request, IdentityDbContext db, CurrentUser caller, IOpenIddictApplicationManager applications, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 200)
        {
            errors["name"] = ["A client name of 1 to 200 characters is required."];
        }

        if (request.Role is not null && !Roles.All.Contains(request.Role))
        {
            errors["role"] = [$"The role is one of: {string.Join(", ", Roles.All)}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var clientId = $"client-{Guid.NewGuid():N}";
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await applications.CreateAsync(new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = secret,
            DisplayName = name,
            ClientType = ClientTypes.Confidential,
            Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials, Permissions.Prefixes.Scope + IdentityService.ApiScope },
        }, cancellationToken);
        var client = new ApiClient
        {
            Id = Guid.NewGuid(),
            ClientId = clientId,
            Name = name!,
            Role = request.Role ?? Roles.Manager,
            CreatedAt = DateTimeOffset.UtcNow,
            CreatedBy = caller.Id,
        };
        db.ApiClients.Add(client);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/clients/{clientId}", new ClientResponse(clientId, client.Name, client.Role, client.CreatedAt, secret));
    }

    private static async Task<Results<NoContent, NotFound>> RevokeClientAsync(
        string clientId, IdentityDbContext db, IOpenIddictApplicationManager applications, CancellationToken cancellationToken)
    {
        var client = await db.ApiClients.SingleOrDefaultAsync(c => c.ClientId == clientId, cancellationToken);
        if (client is null)
        {
            return TypedResults.NotFound();
        }

        if (await applications.FindByClientIdAsync(clientId, cancellationToken) is { } application)
        {
            await applications.DeleteAsync(application, cancellationToken);
        }

        db.ApiClients.Remove(client);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static void ValidateProfile(UserRequest request, Dictionary<string, string[]> errors, bool requireAll)
    {
        if ((requireAll || request.Name is not null) && (string.IsNullOrWhiteSpace(request.Name) || request.Name.Trim().Length > 200))
        {
            errors["name"] = ["A name of 1 to 200 characters is required."];
        }

        if ((requireAll || request.Role is not null) && !Roles.All.Contains(request.Role))
        {
            errors["role"] = [$"The role is one of: {string.Join(", ", Roles.All)}."];
        }
    }

    private static async Task ValidateTeamAsync(Guid? teamId, IdentityDbContext db, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        // A team of another organisation is as unknown as a team that does not exist.
        if (teamId is { } id && !await db.Teams.AnyAsync(t => t.Id == id, cancellationToken))
        {
            errors["teamId"] = ["No such team in this organisation."];
        }
    }

    private static async Task<string?> TeamNameAsync(IdentityDbContext db, Guid? teamId, CancellationToken cancellationToken) =>
        teamId is { } id ? await db.Teams.Where(t => t.Id == id).Select(t => t.Name).SingleOrDefaultAsync(cancellationToken) : null;

    private static UserResponse ToResponse(User user) => new(user.Id, user.Email, user.Name, user.Role, user.TeamId, user.Active);
}
