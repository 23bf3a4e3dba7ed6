using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Pipeline.Messaging;

namespace Pipeline.Reporting.Infrastructure;

public sealed class ReportingDbContext(DbContextOptions<ReportingDbContext> options) : ServiceDbContext(options);

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running service.</summary>
internal sealed class ReportingDesignTimeFactory : IDesignTimeDbContextFactory<ReportingDbContext>
{
    public ReportingDbContext CreateDbContext(string[] args) => new(ServiceHost.DesignTimeOptions<ReportingDbContext>());
}
