using Pipeline.Notification.Infrastructure;
using Pipeline.Messaging;
using Pipeline.Messaging.Diagnostics;
using Pipeline.ServiceDefaults;

namespace Pipeline.Notification;

/// <summary>Every registration and route of the notification service, in one place.</summary>
public static class NotificationService
{
    public static IHostApplicationBuilder AddNotificationService(this IHostApplicationBuilder builder)
    {
        builder.AddPipelineAuthentication();
        builder.AddServiceDatabase<NotificationDbContext>(ResourceNames.NotificationDatabase);
        builder.AddMessaging<NotificationDbContext>(ResourceNames.Notification, bus => bus.AddDiagnosticsProbe<NotificationDbContext>(ResourceNames.Notification));
        return builder;
    }

    public static WebApplication MapNotificationApi(this WebApplication app)
    {
        app.MapProbeApi<NotificationDbContext>(ResourceNames.Notification);
        return app;
    }
}
