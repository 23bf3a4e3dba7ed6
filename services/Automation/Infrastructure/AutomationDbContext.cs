using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Pipeline.Messaging;

namespace Pipeline.Automation.Infrastructure;

public sealed class AutomationDbContext(DbContextOptions<AutomationDbContext> options) : ServiceDbContext(options);

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running service.</summary>
internal sealed class AutomationDesignTimeFactory : IDesignTimeDbContextFactory<AutomationDbContext>
{
    public AutomationDbContext CreateDbContext(string[] args) => new(ServiceHost.DesignTimeOptions<AutomationDbContext>());
}
