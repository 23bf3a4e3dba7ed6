using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Pipeline.Messaging.Tenancy;
using Pipeline.Opportunity.Domain;
using Pipeline.Opportunity.Import;
using Pipeline.Opportunity.Infrastructure;

namespace Pipeline.Opportunity.DemoData;

/// <summary>
/// Fills Acme and Globex with the <see cref="DemoDeals"/> on the first start of the local profile (setting
/// <c>DemoData:Deals</c>, which the AppHost turns on), through the same import job an admin would start: the deals
/// get their history and events, and every other service handles them like any others. It waits until the user
/// directory (filled by the identity service's events) knows each organisation's admin and owners, and does nothing
/// for an organisation that has a deal or whose demo import has run.
/// </summary>
public sealed partial class DemoDealsSeeder(
    IServiceScopeFactory scopes, ImportQueue queue, IOptions<ImportSettings> settings, TimeProvider clock,
    ILogger<DemoDealsSeeder> logger) : BackgroundService
{
    /// <summary>Fixed, so that a second replica starting at the same moment fails to insert the same job and stands aside.</summary>
    public static readonly Guid AcmeJobId = new("de000000-0000-0000-0000-00000000ac3e");

    public static readonly Guid GlobexJobId = new("de000000-0000-0000-0000-0000000061eb");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var users = await WaitForDirectoryAsync(stoppingToken);
            await SeedAsync(DemoDeals.Acme, AcmeJobId, users, stoppingToken);
            await SeedAsync(DemoDeals.Globex, GlobexJobId, users, stoppingToken);
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            // Demo data is a convenience: without it the service still serves, so this must not stop the host.
            LogFailed(logger, exception);
        }
    }

    private async Task SeedAsync(DemoDeals.Tenant tenant, Guid jobId, IReadOnlyList<DirectoryUser> users, CancellationToken stoppingToken)
    {
        var admin = users.Single(u => u.Email == tenant.AdminEmail);
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Use(admin.OrganizationId);
        var db = scope.ServiceProvider.GetRequiredService<OpportunityDbContext>();
        if (await db.ImportJobs.AnyAsync(j => j.Id == jobId, stoppingToken) || await db.Opportunities.AnyAsync(stoppingToken))
        {
            return;
        }

        Directory.CreateDirectory(settings.Value.Directory);
        var path = Path.Combine(settings.Value.Directory, $"{jobId:N}-{Guid.NewGuid():N}.csv"); // a replica's own file
        DemoDeals.WriteNativeCsv(Path.Combine(AppContext.BaseDirectory, DemoDeals.Folder), tenant, clock.GetUtcNow(), path);
        db.ImportJobs.Add(new ImportJob { Id = jobId, CreatedBy = admin.UserId, CreatedAt = clock.GetUtcNow() });
        try
        {
            await db.SaveChangesAsync(stoppingToken);
        }
        catch (DbUpdateException)
        {
            File.Delete(path);
            return; // another replica seeds
        }

        LogSeeding(logger, admin.OrganizationId, jobId);
        queue.Enqueue(new ImportWork(jobId, admin.OrganizationId, admin.UserId, path, ImportOptions.Parse(null, [])));
    }

    /// <summary>The identity service publishes its directory at start; until it has arrived, the owners' e-mails resolve to nobody.</summary>
    private async Task<IReadOnlyList<DirectoryUser>> WaitForDirectoryAsync(CancellationToken stoppingToken)
    {
        string[] needed = [DemoDeals.Acme.AdminEmail, DemoDeals.Globex.AdminEmail, .. DemoDeals.AcmeOwnerEmails];
        while (true)
        {
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<OpportunityDbContext>();
                var users = await db.Directory.IgnoreQueryFilters().AsNoTracking()
                    .Where(u => needed.Contains(u.Email) && u.Active).ToListAsync(stoppingToken);
                if (users.Select(u => u.Email).Distinct().Count() == needed.Length)
                {
                    return users;
                }
            }

            await Task.Delay(TimeSpan.FromSeconds(2), clock, stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Filling organisation {OrganizationId} with demo deals: import job {JobId}")]
    private static partial void LogSeeding(ILogger logger, Guid organizationId, Guid jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The demo deals could not be imported")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
