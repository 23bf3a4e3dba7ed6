using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Pipeline.Messaging;
using Pipeline.Messaging.Tenancy;

namespace Pipeline.Reporting.Infrastructure;

public sealed class ReportingDbContext(DbContextOptions<ReportingDbContext> options, TenantScope tenant) : ServiceDbContext(options, tenant);

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running service.</summary>
internal sealed class ReportingDesignTimeFactory : IDesignTimeDbContextFactory<ReportingDbContext>
{
    public ReportingDbContext CreateDbContext(string[] args) => new(ServiceHost.DesignTimeOptions<ReportingDbContext>(), new TenantScope());
}
