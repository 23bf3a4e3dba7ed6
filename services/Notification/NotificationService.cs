using MassTransit;
using Pipeline.Messaging;
using Pipeline.Messaging.Diagnostics;
using Pipeline.Messaging.Organizations;
using Pipeline.Notification.Apis;
using Pipeline.Notification.Consumers;
using Pipeline.Notification.Domain;
using Pipeline.Notification.Email;
using Pipeline.Notification.Infrastructure;
using Pipeline.Notification.Streaming;
using Pipeline.Notification.Webhooks;
using Pipeline.ServiceDefaults;

namespace Pipeline.Notification;

/// <summary>Every registration and route of the notification service, in one place.</summary>
public static class NotificationService
{
    public static IHostApplicationBuilder AddNotificationService(this IHostApplicationBuilder builder)
    {
        builder.AddPipelineAuthentication();
        builder.Services.AddAuthorizationBuilder().AddInboxAccess();
        builder.AddServiceDatabase<NotificationDbContext>(ResourceNames.NotificationDatabase, connections =>
        {
            // A notification runs the same few statements each time: prepared once per connection, PostgreSQL no
            // longer parses and plans them at every one (as the opportunity service does). Unless the connection string says otherwise.
            if (connections.MaxAutoPrepare == 0)
            {
                connections.MaxAutoPrepare = 64;
            }
        });
        builder.AddMessaging<NotificationDbContext>(ResourceNames.Notification, bus =>
        {
            bus.AddConsumer<SendNotificationConsumer>(consumer => consumer.Options<BatchOptions>(batch => batch
                    .SetMessageLimit(SendNotificationConsumer.MaxBatch).SetTimeLimit(SendNotificationConsumer.CollectFor).SetConcurrencyLimit(2)))
                .Endpoint(endpoint => endpoint.PrefetchCount = 2 * SendNotificationConsumer.MaxBatch);
            bus.AddConsumer<DeliverWebhookConsumer>();
            bus.AddConsumer<DealEventsConsumer>();
            bus.AddConsumer<ActivityConsumer>();
            bus.AddConsumer<UserDirectoryConsumer>();
            bus.AddOrganizationProfiles<NotificationDbContext>(ResourceNames.Notification);
            bus.AddDiagnosticsProbe<NotificationDbContext>(ResourceNames.Notification);
        });
        builder.Services.Configure<StreamOptions>(builder.Configuration.GetSection("Stream"));
        builder.Services.Configure<EmailOptions>(builder.Configuration.GetSection("Email"));
        builder.Services.Configure<DigestOptions>(builder.Configuration.GetSection("Digest"));
        builder.Services.Configure<WebhookOptions>(builder.Configuration.GetSection("Webhooks"));

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<NotificationMetrics>();
        builder.Services.AddSingleton<DeliverySignals>();
        builder.Services.AddScoped<UnitOfWork>();
        builder.Services.AddScoped<Notifier>();
        builder.Services.AddScoped<DealChanges>();
        builder.Services.AddScoped<WebhookDeliveries>();
        builder.Services.AddSingleton<EmailComposer>();

        // The live stream: the open streams of this replica, fed by every replica through the broker.
        builder.Services.AddScoped<StreamJournal>();
        builder.Services.AddSingleton<StreamHub>();
        builder.Services.AddHostedService(services => services.GetRequiredService<StreamHub>());
        builder.Services.AddSingleton<StreamFanOut>();
        builder.Services.AddHostedService(services => services.GetRequiredService<StreamFanOut>());

        // Delivery: e-mail, webhooks, the daily digest; and forgetting what is old.
        builder.Services.AddHostedService<EmailSender>();
        builder.Services.AddSingleton<SubscriptionPausing>();
        builder.Services.AddHostedService<WebhookDispatcher>();
        // One instance, so that tests and operators can run the digest on demand through the same object.
        builder.Services.AddSingleton<DailyDigest>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DailyDigest>());
        builder.Services.AddHostedService<Retention>();
        return builder;
    }

    public static WebApplication MapNotificationApi(this WebApplication app)
    {
        app.MapNotificationsApi();
        app.MapPreferencesApi();
        app.MapStreamApi();
        app.MapWebhooksApi();
        app.MapProbeApi<NotificationDbContext>(ResourceNames.Notification);
        return app;
    }
}
