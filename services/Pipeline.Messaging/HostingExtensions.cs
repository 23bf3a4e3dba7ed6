using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Pipeline.Contracts;
using Pipeline.Messaging.Diagnostics;
using Pipeline.Messaging.Inbox;
using Pipeline.Messaging.Outbox;
using Pipeline.Messaging.Tenancy;

namespace Pipeline.Messaging;

public static class HostingExtensions
{
    /// <summary>
    /// Registers the service's own PostgreSQL database: one Npgsql data source shared by EF Core and the outbox
    /// dispatcher, the DbContext with snake_case names, and a readiness check.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDatabase<TContext>(
        this IHostApplicationBuilder builder, string connectionName, Action<NpgsqlConnectionStringBuilder>? tuneConnections = null)
        where TContext : ServiceDbContext
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException($"The connection string 'ConnectionStrings:{connectionName}' is not configured.");
        builder.Services.AddSingleton(_ =>
        {
            var dataSource = new NpgsqlDataSourceBuilder(connectionString);
            // A connection going back to the pool is not reset (DISCARD ALL): the reset also discards every plan
            // PostgreSQL cached in the session, those of the trigger functions included, which the reporting
            // projection then planned again at every event (most of its database time). No service sets session
            // state: settings are SET LOCAL, locks transaction-scoped.
            dataSource.ConnectionStringBuilder.NoResetOnClose = true;
            tuneConnections?.Invoke(dataSource.ConnectionStringBuilder);
            // Trace database calls made for a traced request or message; the outbox poll every second and the
            // health probes would otherwise bury the traces worth reading.
            dataSource.ConfigureTracing(tracing => tracing
                .ConfigureCommandFilter(_ => Activity.Current is { Recorded: true })
                .ConfigureBatchFilter(_ => Activity.Current is { Recorded: true }));
            return dataSource.Build();
        });
        builder.Services.AddScoped<TenantScope>();
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<OutboxSignalInterceptor>();
        builder.Services.AddDbContext<TContext>((services, options) => options
            .UseNpgsql(services.GetRequiredService<NpgsqlDataSource>())
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(services.GetRequiredService<OutboxSignalInterceptor>()));
        builder.Services.AddHealthChecks().AddDbContextCheck<TContext>("database");
        return builder;
    }

    /// <summary>
    /// Registers MassTransit on RabbitMQ (connection string <see cref="ResourceNames.Messaging"/>), the outbox
    /// dispatcher and the inbox retention. Each consumer gets a durable quorum queue named
    /// <c>{service}-{consumer}</c>, shared by all replicas of the service (competing consumers).
    /// </summary>
    public static IHostApplicationBuilder AddMessaging<TContext>(
        this IHostApplicationBuilder builder, string serviceName, Action<IBusRegistrationConfigurator>? addConsumers = null)
        where TContext : ServiceDbContext
    {
        var connectionString = builder.Configuration.GetConnectionString(ResourceNames.Messaging)
            ?? throw new InvalidOperationException($"The connection string 'ConnectionStrings:{ResourceNames.Messaging}' is not configured.");
        var outbox = builder.Configuration.GetSection("Outbox");
        builder.Services.Configure<OutboxOptions>(outbox);
        builder.Services.AddSingleton<OutboxMetrics>();
        if (outbox.GetValue(nameof(OutboxOptions.DispatcherEnabled), true))
        {
            builder.Services.AddHostedService<OutboxDispatcher>();
        }

        builder.Services.AddHostedService<InboxRetention>();
        // Organisation profiles and other short-lived lookups are cached per replica.
        builder.Services.AddMemoryCache();
        builder.Services.AddMassTransit(bus =>
        {
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(serviceName, includeNamespace: false));
            bus.AddConsumer<ProbeConsumer<TContext>>().Endpoint(endpoint => endpoint.Name = $"{serviceName}-probe");
            addConsumers?.Invoke(bus);
            bus.AddRabbitMqConfigureEndpointsCallback((_, queueName, endpoint) => ConsumerEndpoints.Configure(queueName, endpoint));
            bus.DisableUsageTelemetry();
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(new Uri(connectionString), host => host.ConnectionName(serviceName));
                // Events are published to one exchange per concrete contract type, not to their abstract bases.
                rabbit.Publish<IntegrationMessage>(topology => topology.Exclude = true);
                rabbit.Publish<OpportunityEvent>(topology => topology.Exclude = true);
                rabbit.Publish<QuoteEvent>(topology => topology.Exclude = true);
                ConsumerEndpoints.ConfigureErrorQueues(rabbit);
                rabbit.ConfigureEndpoints(context);
            });
        });
        return builder;
    }
}
