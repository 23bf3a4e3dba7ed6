using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using Pipeline.Identity.Infrastructure;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Pipeline.Identity.Apis;

/// <summary>
/// The browser sign-in of the web UI (authorization code with PKCE): <c>/connect/authorize</c> asks for a session,
/// <c>/connect/login</c> is the sign-in form that opens one (a cookie scoped to /connect), then the code goes
/// back to the web UI. <c>/connect/logout</c> ends the session.
/// </summary>
public static class SignInPages
{
    public const string SessionScheme = "pipeline-session";

    public static IEndpointRouteBuilder MapSignInPages(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/connect/authorize", ["GET", "POST"], (Delegate)AuthorizeAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/connect/login", LoginForm).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/connect/login", LoginAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapMethods("/connect/logout", ["GET", "POST"], (Delegate)LogoutAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> AuthorizeAsync(HttpContext http, IdentityDbContext db, CancellationToken cancellationToken)
    {
        var request = http.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenIddict server request cannot be retrieved.");
        var session = await http.AuthenticateAsync(SessionScheme);
        var userId = session.Principal?.FindFirst(Claims.Subject)?.Value;
        var user = session.Succeeded && Guid.TryParse(userId, out var id)
            ? await db.Users.IgnoreQueryFilters().SingleOrDefaultAsync(u => u.Id == id && u.Active, cancellationToken)
            : null;
        if (user is null || request.HasPromptValue(PromptValues.Login))
        {
            var returnUrl = http.Request.PathBase + http.Request.Path + QueryString.Create(
                http.Request.HasFormContentType ? http.Request.Form.ToList() : http.Request.Query.ToList());
            return Results.Redirect($"/connect/login?returnUrl={Uri.EscapeDataString(returnUrl)}");
        }

        return TokenEndpoint.SignIn(user, request.GetScopes());
    }

    private static IResult LoginForm(HttpContext http, IAntiforgery antiforgery, string? returnUrl, string? error) =>
        Page(http, antiforgery, returnUrl, error);

    private static async Task<IResult> LoginAsync(
        HttpContext http, IAntiforgery antiforgery, SignInThrottle throttle,
        [FromForm] string? email, [FromForm] string? password, [FromForm] string? returnUrl, CancellationToken cancellationToken)
    {
        var outcome = await throttle.SignInAsync(email, password, cancellationToken);
        if (outcome.User is not { } user)
        {
            var message = outcome.Throttled
                ? "Too many failed sign-ins for this e-mail address. Try again later."
                : "The e-mail address or password is incorrect.";
            if (outcome.Throttled)
            {
                http.Response.Headers.RetryAfter = ((int)Math.Ceiling(outcome.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return Page(http, antiforgery, returnUrl, message, outcome.Throttled ? StatusCodes.Status429TooManyRequests : StatusCodes.Status400BadRequest);
        }

        var session = new ClaimsIdentity(SessionScheme, Claims.Name, Claims.Role);
        session.AddClaim(new Claim(Claims.Subject, user.Id.ToString()));
        session.AddClaim(new Claim(Claims.Name, user.Name));
        await http.SignInAsync(SessionScheme, new ClaimsPrincipal(session));
        return Results.Redirect(IsAuthorizeRequest(returnUrl) ? returnUrl! : "/");
    }

    private static async Task<IResult> LogoutAsync(HttpContext http)
    {
        await http.SignOutAsync(SessionScheme);
        return Results.SignOut(authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    // Only a return to the authorization endpoint is honoured: no open redirect through the sign-in form.
    private static bool IsAuthorizeRequest(string? returnUrl) =>
        returnUrl is not null && returnUrl.StartsWith("/connect/authorize", StringComparison.Ordinal);

    private static IResult Page(HttpContext http, IAntiforgery antiforgery, string? returnUrl, string? error, int status = StatusCodes.Status200OK)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var errorHtml = error is null ? string.Empty : $"""<p class="error" role="alert">{WebUtility.HtmlEncode(error)}</p>""";
        var html = $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
              <meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
              <title>Sign in · Pipeline.Cloud</title>
              <style>
                body { font-family: system-ui, sans-serif; background: #f4f5f7; display: grid; place-items: center; min-height: 100vh; margin: 0; }
                form { background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 1px 4px #0002; width: 20rem; display: grid; gap: .75rem; }
                input, button { font-size: 1rem; padding: .5rem; } button { background: #1d2433; color: #fff; border: 0; border-radius: 4px; }
                .error { color: #b00020; margin: 0; }
              </style>
            </head>
            <body>
              <form method="post" action="/connect/login">
                <h1>Sign in to Pipeline.Cloud</h1>
                {{errorHtml}}
                <label>E-mail <input name="email" type="email" autocomplete="username" required autofocus></label>
                <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
                <input type="hidden" name="returnUrl" value="{{WebUtility.HtmlEncode(returnUrl ?? string.Empty)}}">
                <input type="hidden" name="{{tokens.FormFieldName}}" value="{{tokens.RequestToken}}">
                <button type="submit">Sign in</button>
              </form>
            </body>
            </html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }

    /// <summary>The session cookie of the sign-in pages, valid for /connect only.</summary>
    public static AuthenticationBuilder AddSignInSession(this AuthenticationBuilder authentication) =>
        authentication.AddCookie(SessionScheme, options =>
        {
            options.Cookie.Name = "pipeline.session";
            options.Cookie.Path = "/connect";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.LoginPath = "/connect/login";
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = true;
        });
}
