namespace Pipeline.Web.Infrastructure;

/// <summary>
/// Headers on every answer of the web UI. The Content-Security-Policy is as strict as Blazor Server allows: scripts only
/// from this origin (no inline script, no eval), the circuit's WebSocket to this origin; styles allow inline attributes,
/// which the component library sets on elements (no inline style sheet can run code). No framing at all.
/// </summary>
public static class SecurityHeaders
{
    public static string ContentSecurityPolicy(string? signInOrigin) =>
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; " +
        $"form-action 'self'{(signInOrigin is null ? "" : " " + signInOrigin)}";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app, string? signInOrigin)
    {
        var policy = ContentSecurityPolicy(signInOrigin);
        return app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = policy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return next(context);
        });
    }
}
