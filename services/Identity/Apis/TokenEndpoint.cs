using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using Pipeline.Identity.Domain;
using Pipeline.Identity.Infrastructure;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Pipeline.Identity.Apis;

/// <summary>
/// <c>POST /connect/token</c>. OpenIddict has already validated the protocol (client, grant type, PKCE); this
/// decides who the caller is and what goes in the access token: <c>sub</c>, <c>name</c>, <c>email</c>, <c>org</c>,
/// <c>team</c>, <c>role</c>, audience <c>pipeline-api</c>.
/// </summary>
public static class TokenEndpoint
{
    public static async Task<IResult> ExchangeAsync(HttpContext http, IdentityDbContext db, SignInThrottle throttle, CancellationToken cancellationToken)
    {
        var request = http.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenIddict server request cannot be retrieved.");

        if (request.IsPasswordGrantType())
        {
            var outcome = await throttle.SignInAsync(request.Username, request.Password, cancellationToken);
            return outcome switch
            {
                { Throttled: true } => Throttled(http, outcome.RetryAfter),
                { User: { } user } => SignIn(user, request.GetScopes()),
                // Same answer whether the user exists or not (RFC 6749 §5.2, and no hint for attackers).
                _ => InvalidGrant("The user name or password is incorrect."),
            };
        }

        if (request.IsClientCredentialsGrantType())
        {
            var client = await db.ApiClients.IgnoreQueryFilters().SingleOrDefaultAsync(c => c.ClientId == request.ClientId, cancellationToken);
            if (client is null)
            {
                return InvalidGrant("The client is not registered for API access.");
            }

            var identity = NewIdentity();
            identity.SetClaim(Claims.Subject, client.ClientId)
                .SetClaim(Claims.Name, client.Name)
                .SetClaim(PipelineClaims.Organization, client.OrganizationId.ToString())
                .SetClaim(Claims.Role, client.Role);
            return SignIn(identity, request.GetScopes());
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            // The principal stored in the code or refresh token: re-read the user, who may have been disabled or moved since.
            var stored = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var userId = stored.Principal?.GetClaim(Claims.Subject);
            var user = Guid.TryParse(userId, out var id)
                ? await db.Users.IgnoreQueryFilters().SingleOrDefaultAsync(u => u.Id == id && u.Active, cancellationToken)
                : null;
            return user is null
                ? InvalidGrant("The user can no longer sign in.")
                : SignIn(user, stored.Principal!.GetScopes());
        }

        return Results.Forbid(
            authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme],
            properties: Error(Errors.UnsupportedGrantType, "This grant type is not supported."));
    }

    public static IResult SignIn(User user, IEnumerable<string> scopes) => SignIn(UserIdentity(user), scopes);

    public static ClaimsIdentity UserIdentity(User user)
    {
        var identity = NewIdentity();
        identity.SetClaim(Claims.Subject, user.Id.ToString())
            .SetClaim(Claims.Name, user.Name)
            .SetClaim(Claims.Email, user.Email)
            .SetClaim(PipelineClaims.Organization, user.OrganizationId.ToString())
            .SetClaim(Claims.Role, user.Role);
        if (user.TeamId is { } team)
        {
            identity.SetClaim(PipelineClaims.Team, team.ToString());
        }

        return identity;
    }

    private static ClaimsIdentity NewIdentity() =>
        new(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);

    private static IResult SignIn(ClaimsIdentity identity, IEnumerable<string> scopes)
    {
        identity.SetScopes(scopes);
        identity.SetResources(IdentityService.ApiAudience);
        identity.SetDestinations(claim => claim.Type switch
        {
            Claims.Name or Claims.Email or Claims.Role => [Destinations.AccessToken, Destinations.IdentityToken],
            _ => [Destinations.AccessToken],
        });
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static IResult InvalidGrant(string description) =>
        Results.Forbid(
            authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme],
            properties: Error(Errors.InvalidGrant, description));

    private static IResult Throttled(HttpContext http, TimeSpan retryAfter)
    {
        var seconds = (int)Math.Ceiling(retryAfter.TotalSeconds);
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many failed sign-ins",
            detail: $"Sign-in for this user name is paused; retry in {Math.Ceiling(retryAfter.TotalMinutes)} minutes.",
            extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds });
    }

    private static AuthenticationProperties Error(string error, string description) => new(new Dictionary<string, string?>
    {
        [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
        [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
    });
}

/// <summary>Claim types of our own (SPEC §1), besides the standard sub, name, email and role.</summary>
public static class PipelineClaims
{
    public const string Organization = "org";
    public const string Team = "team";
}
