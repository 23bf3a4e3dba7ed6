using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Pipeline.Messaging;
using Pipeline.Messaging.Tenancy;
using Pipeline.Messaging.Diagnostics;

namespace Pipeline.Automation.Infrastructure;

public sealed class AutomationDbContext(DbContextOptions<AutomationDbContext> options, TenantScope tenant) : ServiceDbContext(options, tenant)
{
    protected override void ConfigureModel(ModelBuilder modelBuilder) => modelBuilder.MapProbeReceipts();
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running service.</summary>
internal sealed class AutomationDesignTimeFactory : IDesignTimeDbContextFactory<AutomationDbContext>
{
    public AutomationDbContext CreateDbContext(string[] args) => new(ServiceHost.DesignTimeOptions<AutomationDbContext>(), new TenantScope());
}
