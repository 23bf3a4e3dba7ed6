using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace Pipeline.ServiceDefaults;

/// <summary>The roles of SPEC §1, from least to most power.</summary>
public static class Roles
{
    public const string Rep = "rep";
    public const string Manager = "manager";
    public const string Admin = "admin";

    public static readonly string[] All = [Rep, Manager, Admin];
}

/// <summary>
/// Named authorization policies, ready for every service: <see cref="Rep"/> admits any member of an organisation,
/// <see cref="Manager"/> managers and admins, <see cref="Admin"/> admins only.
/// </summary>
public static class Policies
{
    public const string Rep = "rep";
    public const string Manager = "manager";
    public const string Admin = "admin";
}

/// <summary>
/// Where the claims of SPEC §1 are found in an access token. The defaults are those of our own issuer; another
/// provider (Keycloak, Entra ID, Okta) is plugged in by configuration: <c>Authentication:Claims:Organization</c>, ...
/// </summary>
public sealed class ClaimNames
{
    public string Subject { get; set; } = "sub";
    public string Name { get; set; } = "name";
    public string Email { get; set; } = "email";
    public string Organization { get; set; } = "org";
    public string Team { get; set; } = "team";
    public string Role { get; set; } = "role";
}

/// <summary>Settings of token validation, section <c>Authentication</c>.</summary>
public sealed class AuthenticationSettings
{
    /// <summary>The issuer (OpenID Connect authority), e.g. http://localhost:8080/ or https://login.example.com/realms/acme.</summary>
    public string? Authority { get; set; }

    /// <summary>Where to read the discovery document when it differs from {Authority}/.well-known/openid-configuration.</summary>
    public string? MetadataAddress { get; set; }

    public string Audience { get; set; } = "pipeline-api";

    /// <summary>Tolerance for clocks that disagree; small, so an expired token stops working promptly.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    public ClaimNames Claims { get; set; } = new();
}

public static class AuthenticationDefaults
{
    public static TBuilder AddPipelineAuthentication<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var settings = builder.Configuration.GetSection("Authentication").Get<AuthenticationSettings>() ?? new AuthenticationSettings();
        builder.Services.AddSingleton(settings.Claims);
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<CurrentUser>();
        builder.Services
            .AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(options =>
            {
                options.Authority = settings.Authority;
                options.MetadataAddress = settings.MetadataAddress ?? string.Empty;
                options.Audience = settings.Audience;
                options.RequireHttpsMetadata = settings.Authority?.StartsWith("https", StringComparison.OrdinalIgnoreCase) ?? false;
                // Claim names stay as the token says (sub, org, role), not mapped to long URIs.
                options.MapInboundClaims = false;
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidateIssuer = true,
                    ValidateAudience = true,
                    ValidateLifetime = true,
                    ValidateIssuerSigningKey = true,
                    RequireSignedTokens = true,
                    RequireExpirationTime = true,
                    ClockSkew = settings.ClockSkew,
                    NameClaimType = settings.Claims.Name,
                    RoleClaimType = settings.Claims.Role,
                };
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Rep, policy => policy.RequireAuthenticatedUser().RequireClaim(settings.Claims.Organization).RequireRole(Roles.All))
            .AddPolicy(Policies.Manager, policy => policy.RequireAuthenticatedUser().RequireClaim(settings.Claims.Organization).RequireRole(Roles.Manager, Roles.Admin))
            .AddPolicy(Policies.Admin, policy => policy.RequireAuthenticatedUser().RequireClaim(settings.Claims.Organization).RequireRole(Roles.Admin))
            // Everything not marked otherwise needs a member of an organisation.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireClaim(settings.Claims.Organization).Build());
        return builder;
    }
}

/// <summary>The caller, as the validated access token describes them. The organisation comes from the token only.</summary>
public sealed class CurrentUser(IHttpContextAccessor http, ClaimNames names)
{
    private ClaimsPrincipal Principal => http.HttpContext?.User ?? new ClaimsPrincipal();

    public bool IsAuthenticated => Principal.Identity?.IsAuthenticated == true;

    public string Id => Claim(names.Subject) ?? throw new InvalidOperationException("The caller has no subject.");

    public string? Name => Claim(names.Name);

    public string? Email => Claim(names.Email);

    public Guid OrganizationId =>
        Guid.TryParse(Claim(names.Organization), out var organization)
            ? organization
            : throw new InvalidOperationException("The caller's token carries no organisation.");

    public Guid? TeamId => Guid.TryParse(Claim(names.Team), out var team) ? team : null;

    public string Role => Claim(names.Role) ?? Roles.Rep;

    public bool IsAdmin => Role == Roles.Admin;

    public bool IsManager => Role is Roles.Manager or Roles.Admin;

    private string? Claim(string type) => Principal.FindFirst(type)?.Value;
}
