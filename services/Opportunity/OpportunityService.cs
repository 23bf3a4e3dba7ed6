using Pipeline.Opportunity.Apis;
using Pipeline.Opportunity.Consumers;
using Pipeline.Opportunity.DemoData;
using Pipeline.Opportunity.Domain;
using Pipeline.Opportunity.Import;
using Pipeline.Opportunity.Infrastructure;
using Pipeline.Messaging;
using Pipeline.Messaging.Organizations;
using Pipeline.Messaging.Diagnostics;
using Pipeline.ServiceDefaults;

namespace Pipeline.Opportunity;

/// <summary>Every registration and route of the opportunity service, in one place.</summary>
public static class OpportunityService
{
    public static IHostApplicationBuilder AddOpportunityService(this IHostApplicationBuilder builder)
    {
        builder.AddPipelineAuthentication();
        builder.AddServiceDatabase<OpportunityDbContext>(ResourceNames.OpportunityDatabase, connections =>
        {
            // Every write runs the same few statements (load the deal, insert its history and its events):
            // prepared once per connection, PostgreSQL no longer parses and plans them each time; about a quarter less
            // database CPU per write (docs/performance.md). Unless the connection string says otherwise.
            // They live as long as the connection: pooled connections are not reset (AddServiceDatabase).
            if (connections.MaxAutoPrepare == 0)
            {
                connections.MaxAutoPrepare = 64;
            }
        });
        builder.AddMessaging<OpportunityDbContext>(ResourceNames.Opportunity, bus =>
        {
            bus.AddConsumer<UserDirectoryConsumer>();
            bus.AddConsumer<CreateFollowUpActivityConsumer>();
            bus.AddOrganizationProfiles<OpportunityDbContext>(ResourceNames.Opportunity);
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddMemoryCache();
        builder.Services.AddScoped<IOrganizationSettingsObserver, DueDatesFollowTheTimeZone>();
        builder.Services.AddScoped<OpportunityWriter>();
        builder.Services.AddScoped<PipelineCatalog>();
        builder.Services.AddScoped<SalesAccess>();
        // One instance, so that tests and operators can run a sweep on demand through the same object.
        builder.Services.AddSingleton<QuoteExpiry>();
        builder.Services.AddHostedService(services => services.GetRequiredService<QuoteExpiry>());
        builder.AddOpportunityImport();
        if (builder.Environment.IsDevelopment() && builder.Configuration.GetValue<bool>("DemoData:Deals"))
        {
            builder.Services.AddHostedService<DemoDealsSeeder>();
        }

        return builder;
    }

    public static WebApplication MapOpportunityApi(this WebApplication app)
    {
        app.MapPipelinesApi();
        app.MapOpportunitiesApi();
        app.MapExchangeRatesApi();
        app.MapEventHistoryApi();
        app.MapQuotesApi();
        app.MapActivitiesApi();
        app.MapImportApi().MapExportApi();
        app.MapProbeApi<OpportunityDbContext>(ResourceNames.Opportunity);
        return app;
    }
}
