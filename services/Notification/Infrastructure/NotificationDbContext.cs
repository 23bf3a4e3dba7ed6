using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Pipeline.Messaging;
using Pipeline.Messaging.Tenancy;
using Pipeline.Messaging.Diagnostics;

namespace Pipeline.Notification.Infrastructure;

public sealed class NotificationDbContext(DbContextOptions<NotificationDbContext> options, TenantScope tenant) : ServiceDbContext(options, tenant)
{
    protected override void ConfigureModel(ModelBuilder modelBuilder) => modelBuilder.MapProbeReceipts();
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running service.</summary>
internal sealed class NotificationDesignTimeFactory : IDesignTimeDbContextFactory<NotificationDbContext>
{
    public NotificationDbContext CreateDbContext(string[] args) => new(ServiceHost.DesignTimeOptions<NotificationDbContext>(), new TenantScope());
}
