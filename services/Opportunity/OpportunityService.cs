using Pipeline.Opportunities.Infrastructure;
using Pipeline.Messaging;
using Pipeline.Messaging.Diagnostics;
using Pipeline.ServiceDefaults;

namespace Pipeline.Opportunities;

/// <summary>Every registration and route of the opportunity service, in one place.</summary>
public static class OpportunityService
{
    public static IHostApplicationBuilder AddOpportunityService(this IHostApplicationBuilder builder)
    {
        builder.AddPipelineAuthentication();
        builder.AddServiceDatabase<OpportunityDbContext>(ResourceNames.OpportunityDatabase);
        builder.AddMessaging<OpportunityDbContext>(ResourceNames.Opportunity);
        return builder;
    }

    public static WebApplication MapOpportunityApi(this WebApplication app)
    {
        app.MapProbeApi<OpportunityDbContext>(ResourceNames.Opportunity);
        return app;
    }
}
