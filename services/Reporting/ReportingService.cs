using Pipeline.Reporting.Infrastructure;
using Pipeline.Messaging;
using Pipeline.Messaging.Diagnostics;
using Pipeline.ServiceDefaults;

namespace Pipeline.Reporting;

/// <summary>Every registration and route of the reporting service, in one place.</summary>
public static class ReportingService
{
    public static IHostApplicationBuilder AddReportingService(this IHostApplicationBuilder builder)
    {
        builder.AddPipelineAuthentication();
        builder.AddServiceDatabase<ReportingDbContext>(ResourceNames.ReportingDatabase);
        builder.AddMessaging<ReportingDbContext>(ResourceNames.Reporting);
        return builder;
    }

    public static WebApplication MapReportingApi(this WebApplication app)
    {
        app.MapProbeApi<ReportingDbContext>(ResourceNames.Reporting);
        return app;
    }
}
