using Pipeline.Messaging;
using Pipeline.Messaging.Diagnostics;
using Pipeline.Messaging.Organizations;
using Pipeline.Reporting.Apis;
using Pipeline.Reporting.Consumers;
using Pipeline.Reporting.Infrastructure;
using Pipeline.Reporting.Infrastructure.Queries;
using Pipeline.Reporting.Projections;
using Pipeline.ServiceDefaults;

namespace Pipeline.Reporting;

/// <summary>Every registration and route of the reporting service, in one place.</summary>
public static class ReportingService
{
    public static IHostApplicationBuilder AddReportingService(this IHostApplicationBuilder builder)
    {
        builder.AddPipelineAuthentication();
        builder.AddServiceDatabase<ReportingDbContext>(ResourceNames.ReportingDatabase);
        builder.AddMessaging<ReportingDbContext>(ResourceNames.Reporting, bus =>
        {
            // The projection applies the events it has in hand together (ProjectionBatcher): let it have more of them.
            bus.AddConsumer<DealEventsConsumer>().Endpoint(endpoint => endpoint.PrefetchCount = ProjectionBatcher.MaxBatch);
            bus.AddConsumer<PipelineChangedConsumer>();
            bus.AddConsumer<ExchangeRateChangedConsumer>();
            bus.AddOrganizationProfiles<ReportingDbContext>(ResourceNames.Reporting);
            bus.AddDiagnosticsProbe<ReportingDbContext>(ResourceNames.Reporting);
        });
        builder.Services.AddScoped<IOrganizationSettingsObserver, DaysFollowTheTimeZone>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<DealProjection>();
        builder.Services.AddSingleton<ProjectionMetrics>();
        builder.Services.AddSingleton<ProjectionBatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ProjectionBatcher>());
        builder.Services.AddScoped<ReportContext>();
        builder.Services.AddSingleton<ReportQueries>();
        builder.Services.AddSingleton<ReviewQueries>();
        builder.Services.AddSingleton<Rebuild>();
        builder.Services.AddHostedService(services => services.GetRequiredService<Rebuild>());
        builder.Services.AddHostedService<RollupFolder>();
        // The event history comes from the opportunity service, found by service discovery.
        builder.Services.AddHttpClient(Rebuild.OpportunityClient, client => client.BaseAddress = new Uri($"https+http://{ResourceNames.Opportunity}"));
        return builder;
    }

    public static WebApplication MapReportingApi(this WebApplication app)
    {
        app.MapReportsApi();
        app.MapFigureDealsApi();
        app.MapPipelineReviewApi();
        app.MapRebuildApi();
        app.MapProbeApi<ReportingDbContext>(ResourceNames.Reporting);
        return app;
    }
}
