using Pipeline.Notification;
using Pipeline.Notification.Infrastructure;
using Pipeline.Messaging;
using Pipeline.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddNotificationService();

var app = builder.Build();
app.UseServiceDefaults();
app.MapNotificationApi();

await app.RunServiceAsync<NotificationDbContext>(args);
