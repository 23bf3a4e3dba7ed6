using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using Pipeline.Identity.Apis;
using Pipeline.Identity.Domain;
using Pipeline.Identity.Infrastructure;
using Pipeline.Messaging;
using Pipeline.Messaging.Diagnostics;
using Pipeline.ServiceDefaults;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Pipeline.Identity;

/// <summary>
/// Every registration and route of the identity service: the OpenID Connect issuer (OpenIddict) and the directory
/// of organisations, teams, users and API clients.
/// </summary>
public static class IdentityService
{
    public const string ApiScope = "pipeline-api";
    public const string ApiAudience = "pipeline-api";

    public static IHostApplicationBuilder AddIdentityService(this IHostApplicationBuilder builder)
    {
        builder.AddPipelineAuthentication();
        builder.Services.AddAuthentication().AddSignInSession();
        builder.AddServiceDatabase<IdentityDbContext>(ResourceNames.IdentityDatabase);
        builder.AddMessaging<IdentityDbContext>(ResourceNames.Identity);
        builder.Services.AddAntiforgery();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        builder.Services.AddScoped<SignInThrottle>();
        builder.Services.AddScoped<IDatabaseSeeder, IssuerKeySeeder>();
        builder.Services.AddScoped<IDatabaseSeeder, ClientApplicationSeeder>();
        builder.Services.AddScoped<IDatabaseSeeder, DemoDirectorySeeder>();
        builder.Services.AddScoped<IDatabaseSeeder, DirectorySync>();

        var issuer = new Uri(builder.Configuration["Identity:Issuer"] ?? "http://localhost:8080/");
        var localProfile = builder.Environment.IsDevelopment();
        builder.Services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<IdentityDbContext>())
            .AddServer(server =>
            {
                server.SetIssuer(issuer)
                    .SetTokenEndpointUris("connect/token")
                    .SetAuthorizationEndpointUris("connect/authorize")
                    .SetEndSessionEndpointUris("connect/logout")
                    .AllowClientCredentialsFlow()
                    .AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange()
                    .AllowRefreshTokenFlow()
                    .RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.OfflineAccess, ApiScope)
                    // Access tokens are signed JWTs any service (or an external API gateway) can validate, not encrypted ones.
                    .DisableAccessTokenEncryption()
                    .SetAccessTokenLifetime(builder.Configuration.GetValue("Identity:AccessTokenLifetime", TimeSpan.FromHours(1)));
                if (localProfile)
                {
                    // The demo users sign in from the command line; never outside the local profile.
                    server.AllowPasswordFlow();
                }

                var aspNetCore = server.UseAspNetCore()
                    .EnableTokenEndpointPassthrough()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough();
                if (issuer.Scheme == Uri.UriSchemeHttp)
                {
                    aspNetCore.DisableTransportSecurityRequirement();
                }
            });
        builder.Services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, IssuerKeyConfiguration>();
        return builder;
    }

    public static WebApplication MapIdentityApi(this WebApplication app)
    {
        app.UseAntiforgery();
        app.MapPost("/connect/token", TokenEndpoint.ExchangeAsync).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        app.MapSignInPages();
        app.MapDirectoryApi();
        app.MapOrganizationApi();
        app.MapProbeApi<IdentityDbContext>(ResourceNames.Identity);
        return app;
    }
}
