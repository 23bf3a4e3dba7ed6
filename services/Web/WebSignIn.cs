using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Pipeline.Web.Infrastructure;

namespace Pipeline.Web;

/// <summary>
/// The web UI signs users in with OpenID Connect (authorization code + PKCE) at the configured authority: our
/// identity service locally, any OIDC provider in production. The tokens stay on the server (<see cref="ServerSideTickets"/>),
/// refreshed before they expire (<see cref="UserTokens"/>), and the UI calls the APIs with the user's access token.
/// </summary>
public static class WebSignIn
{
    public static IHostApplicationBuilder AddWebSignIn(this IHostApplicationBuilder builder)
    {
        var authority = builder.Configuration["Authentication:Authority"] ?? "http://localhost:8080/";
        builder.Services.AddCascadingAuthenticationState();
        builder.Services
            .AddAuthentication(options =>
            {
                options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie(options =>
            {
                options.Cookie.Name = "pipeline.web";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                // Secure everywhere but the local profile, which runs on plain http://localhost.
                options.Cookie.SecurePolicy = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
                // A working day without activity ends the session; each request slides it.
                options.ExpireTimeSpan = TimeSpan.FromHours(12);
                options.SlidingExpiration = true;
                // A page opened by address that the user's role does not give (an admin screen for a rep).
                options.AccessDeniedPath = "/not-allowed";
            })
            .AddOpenIdConnect(options =>
            {
                options.Authority = authority;
                options.RequireHttpsMetadata = authority.StartsWith("https", StringComparison.OrdinalIgnoreCase);
                options.ClientId = builder.Configuration["Authentication:WebClientId"] ?? "pipeline-web";
                options.ResponseType = "code";
                options.UsePkce = true;
                options.SaveTokens = true;
                options.MapInboundClaims = false;
                options.Scope.Add("profile");
                options.Scope.Add("email");
                options.Scope.Add("offline_access");
                options.Scope.Add("pipeline-api");
                if (!options.RequireHttpsMetadata)
                {
                    // Local http: the issuer is on the same site (the gateway), and a "Secure; SameSite=None" cookie
                    // would not survive plain http outside localhost.
                    options.CorrelationCookie.SameSite = SameSiteMode.Lax;
                    options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                    options.NonceCookie.SameSite = SameSiteMode.Lax;
                    options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                }

                if (!builder.Environment.IsDevelopment())
                {
                    options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.Always;
                    options.NonceCookie.SecurePolicy = CookieSecurePolicy.Always;
                }

                options.TokenValidationParameters.NameClaimType = "name";
                options.TokenValidationParameters.RoleClaimType = "role";
            });
        // The tickets (and the tokens in them) stay on the server: the cookie only names the session.
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<ServerSideTickets>();
        builder.Services.AddSingleton<IPostConfigureOptions<CookieAuthenticationOptions>, CookieSessionStore>();
        builder.Services.AddSingleton<UserTokens>();
        builder.Services.AddAuthorization();
        return builder;
    }

    public static WebApplication MapWebSignIn(this WebApplication app)
    {
        app.MapGet("/login", (string? returnUrl) => Results.Challenge(
            new AuthenticationProperties { RedirectUri = returnUrl is { } url && url.StartsWith('/') ? url : "/" }));
        app.MapPost("/logout", () => Results.SignOut(
            new AuthenticationProperties { RedirectUri = "/" },
            [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]));
        return app;
    }
}
