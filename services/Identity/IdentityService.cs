using Pipeline.Identity.Infrastructure;
using Pipeline.Messaging;
using Pipeline.Messaging.Diagnostics;

namespace Pipeline.Identity;

/// <summary>Every registration and route of the identity service, in one place.</summary>
public static class IdentityService
{
    public static IHostApplicationBuilder AddIdentityService(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<IdentityDbContext>(ResourceNames.IdentityDatabase);
        builder.AddMessaging<IdentityDbContext>(ResourceNames.Identity);
        return builder;
    }

    public static WebApplication MapIdentityApi(this WebApplication app)
    {
        app.MapProbeApi<IdentityDbContext>(ResourceNames.Identity);
        return app;
    }
}
