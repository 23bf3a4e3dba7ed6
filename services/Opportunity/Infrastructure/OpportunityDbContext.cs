using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Pipeline.Messaging;
using Pipeline.Messaging.Tenancy;

namespace Pipeline.Opportunities.Infrastructure;

public sealed class OpportunityDbContext(DbContextOptions<OpportunityDbContext> options, TenantScope tenant) : ServiceDbContext(options, tenant);

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running service.</summary>
internal sealed class OpportunityDesignTimeFactory : IDesignTimeDbContextFactory<OpportunityDbContext>
{
    public OpportunityDbContext CreateDbContext(string[] args) => new(ServiceHost.DesignTimeOptions<OpportunityDbContext>(), new TenantScope());
}
