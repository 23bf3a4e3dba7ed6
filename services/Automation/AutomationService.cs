using Pipeline.Automation.Apis;
using Pipeline.Automation.Consumers;
using Pipeline.Automation.Domain;
using Pipeline.Automation.Infrastructure;
using Pipeline.Automation.Scheduling;
using Pipeline.Messaging;
using Pipeline.Messaging.Diagnostics;
using Pipeline.Messaging.Organizations;
using Pipeline.ServiceDefaults;

namespace Pipeline.Automation;

/// <summary>Every registration and route of the automation service, in one place.</summary>
public static class AutomationService
{
    public static IHostApplicationBuilder AddAutomationService(this IHostApplicationBuilder builder)
    {
        builder.AddPipelineAuthentication();
        builder.AddServiceDatabase<AutomationDbContext>(ResourceNames.AutomationDatabase);
        builder.AddMessaging<AutomationDbContext>(ResourceNames.Automation, bus =>
        {
            // The events are applied in batches (DealEventBatcher): let a replica have a batch's worth in hand.
            bus.AddConsumer<DealEventsConsumer>().Endpoint(endpoint => endpoint.PrefetchCount = DealEventBatcher.MaxBatch);
            bus.AddConsumer<PipelineChangedConsumer>();
            bus.AddConsumer<ExchangeRateChangedConsumer>();
            bus.AddConsumer<UserChangedConsumer>();
            bus.AddOrganizationProfiles<AutomationDbContext>(ResourceNames.Automation);
            bus.AddDiagnosticsProbe<AutomationDbContext>(ResourceNames.Automation);
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.Configure<AutomationOptions>(builder.Configuration.GetSection("Automation"));
        builder.Services.AddSingleton<AutomationTelemetry>();
        builder.Services.AddSingleton<RuleCache>();
        builder.Services.AddScoped<DealEventEvaluator>();
        builder.Services.AddSingleton<DealEventBatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DealEventBatcher>());
        builder.Services.AddScoped<RuleHealth>();
        builder.Services.AddScoped<RuleSeeder>();
        builder.Services.AddScoped<IOrganizationSettingsObserver>(services => services.GetRequiredService<RuleSeeder>());

        // One instance each, so that tests and operators can run a pass on demand through the same object.
        builder.Services.AddSingleton<RunScheduler>();
        builder.Services.AddSingleton<TimeTriggers>();
        var automation = builder.Configuration.GetSection("Automation").Get<AutomationOptions>() ?? new AutomationOptions();
        if (automation.SchedulerEnabled)
        {
            builder.Services.AddHostedService(services => services.GetRequiredService<RunScheduler>());
        }

        if (automation.TimeTriggersEnabled)
        {
            builder.Services.AddHostedService(services => services.GetRequiredService<TimeTriggers>());
        }

        // A simulation reads the opportunity service's event history, found by service discovery.
        builder.Services.AddHttpClient(OpportunityHistory.ClientName, client => client.BaseAddress = new Uri($"https+http://{ResourceNames.Opportunity}"));
        builder.Services.AddSingleton<OpportunityHistory>();
        return builder;
    }

    public static WebApplication MapAutomationApi(this WebApplication app)
    {
        app.MapRulesApi();
        app.MapSimulationApi();
        app.MapRunsApi();
        app.MapProbeApi<AutomationDbContext>(ResourceNames.Automation);
        return app;
    }
}
