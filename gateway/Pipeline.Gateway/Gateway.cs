using System.Threading.RateLimiting;
using Pipeline.ServiceDefaults;
using Scalar.AspNetCore;
using Yarp.ReverseProxy.Configuration;

namespace Pipeline.Gateway;

public static class Gateway
{
    /// <summary>Largest request body by default; the CSV import route allows more (see appsettings.json).</summary>
    public const long DefaultMaxRequestBodySize = 10 * 1024 * 1024;

    /// <summary>
    /// Sign-in form posts per minute and client address: slows password guessing from one place. The token endpoint
    /// is not limited here (the web UI's server exchanges every user's code through it); the identity service
    /// throttles failed sign-ins per user name instead.
    /// </summary>
    public const int SignInRequestsPerMinute = 60;

    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder)
    {
        // Tokens are validated here already, so a bad one never reaches a service (which validates again).
        builder.AddPipelineAuthentication();
        builder.Services.AddRateLimiter(limits =>
        {
            limits.AddPolicy("sign-in", context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = SignInRequestsPerMinute, Window = TimeSpan.FromMinutes(1) }));
            limits.OnRejected = async (context, cancellationToken) =>
            {
                // The window's remaining time when the limiter knows it, else a whole window.
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var remaining) ? remaining : TimeSpan.FromMinutes(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = "Too many sign-in requests", Detail = $"Retry in {seconds} seconds." },
                });
            };
        });
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel =>
            kestrel.Limits.MaxRequestBodySize = DefaultMaxRequestBodySize);
        builder.AddServicesReadiness();
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            // A service host that does not answer at all must not hold the caller for long.
            .ConfigureHttpClient((_, handler) => handler.ConnectTimeout = TimeSpan.FromSeconds(5))
            .AddServiceDiscoveryDestinationResolver();
        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        app.UseRateLimiter();
        app.MapReverseProxy(proxy =>
        {
            proxy.UseMiddleware<ForwardingErrorProblemDetails>();
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });

        // One API reference over every service's OpenAPI document, each proxied at /openapi/{service}/v1.json.
        var services = app.Services.GetRequiredService<IProxyConfigProvider>().GetConfig().Clusters
            .Select(cluster => cluster.ClusterId)
            .Where(service => service != ResourceNames.Web && service != ResourceNames.Identity);
        app.MapScalarApiReference("/api/reference", options =>
        {
            options.WithTitle("Pipeline.Cloud API").WithOpenApiRoutePattern("/openapi/{documentName}/v1.json");
            foreach (var service in services)
            {
                options.AddDocument(service, service);
            }
        }).AllowAnonymous();
        return app;
    }
}
