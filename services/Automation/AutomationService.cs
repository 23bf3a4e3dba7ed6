using Pipeline.Automation.Infrastructure;
using Pipeline.Messaging;
using Pipeline.Messaging.Diagnostics;
using Pipeline.ServiceDefaults;

namespace Pipeline.Automation;

/// <summary>Every registration and route of the automation service, in one place.</summary>
public static class AutomationService
{
    public static IHostApplicationBuilder AddAutomationService(this IHostApplicationBuilder builder)
    {
        builder.AddPipelineAuthentication();
        builder.AddServiceDatabase<AutomationDbContext>(ResourceNames.AutomationDatabase);
        builder.AddMessaging<AutomationDbContext>(ResourceNames.Automation, bus => bus.AddDiagnosticsProbe<AutomationDbContext>(ResourceNames.Automation));
        return builder;
    }

    public static WebApplication MapAutomationApi(this WebApplication app)
    {
        app.MapProbeApi<AutomationDbContext>(ResourceNames.Automation);
        return app;
    }
}
