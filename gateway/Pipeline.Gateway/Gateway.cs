using Scalar.AspNetCore;
using Yarp.ReverseProxy.Configuration;

namespace Pipeline.Gateway;

public static class Gateway
{
    /// <summary>Largest request body by default; the CSV import route allows more (see appsettings.json).</summary>
    public const long DefaultMaxRequestBodySize = 10 * 1024 * 1024;

    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel =>
            kestrel.Limits.MaxRequestBodySize = DefaultMaxRequestBodySize);
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            // A service host that does not answer at all must not hold the caller for long.
            .ConfigureHttpClient((_, handler) => handler.ConnectTimeout = TimeSpan.FromSeconds(5))
            .AddServiceDiscoveryDestinationResolver();
        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
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
