using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Pipeline.Messaging.Tenancy;
using Pipeline.Opportunity.Domain;
using Pipeline.Opportunity.Import;
using Pipeline.Opportunity.Infrastructure;

namespace Pipeline.Opportunity.DemoData;

/// <summary>
/// Fills Acme with the <see cref="DemoDeals"/> on the first start of the local profile (setting
/// <c>DemoData:Deals</c>, which the AppHost turns on), through the same import job an admin would start: the deals
/// get their history and events, and the reporting service projects them like any others. It waits until the user
/// directory (filled by the identity service's events) knows Acme's admin and reps, and does nothing once Acme has
/// a deal or the demo import has run.
/// </summary>
public sealed partial class DemoDealsSeeder(
    IServiceScopeFactory scopes, ImportQueue queue, IOptions<ImportSettings> settings, TimeProvider clock,
    ILogger<DemoDealsSeeder> logger) : BackgroundService
{
    /// <summary>Fixed, so that a second replica starting at the same moment fails to insert the same job and stands aside.</summary>
    public static readonly Guid JobId = new("de000000-0000-0000-0000-00000000ac3e");

    private const string AdminEmail = "admin@acme.test";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await SeedAsync(stoppingToken);
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            // Demo data is a convenience: without it the service still serves, so this must not stop the host.
            LogFailed(logger, exception);
        }
    }

    private async Task SeedAsync(CancellationToken stoppingToken)
    {
        var admin = await WaitForDirectoryAsync(stoppingToken);
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Use(admin.OrganizationId);
        var db = scope.ServiceProvider.GetRequiredService<OpportunityDbContext>();
        if (await db.ImportJobs.AnyAsync(j => j.Id == JobId, stoppingToken) || await db.Opportunities.AnyAsync(stoppingToken))
        {
            return;
        }

        Directory.CreateDirectory(settings.Value.Directory);
        var path = Path.Combine(settings.Value.Directory, $"{JobId:N}-{Guid.NewGuid():N}.csv"); // a replica's own file
        DemoDeals.WriteNativeCsv(Path.Combine(AppContext.BaseDirectory, DemoDeals.Folder), DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), path);
        db.ImportJobs.Add(new ImportJob { Id = JobId, CreatedBy = admin.UserId, CreatedAt = clock.GetUtcNow() });
        try
        {
            await db.SaveChangesAsync(stoppingToken);
        }
        catch (DbUpdateException)
        {
            File.Delete(path);
            return; // another replica seeds
        }

        LogSeeding(logger, admin.OrganizationId, JobId);
        queue.Enqueue(new ImportWork(JobId, admin.OrganizationId, admin.UserId, path, ImportOptions.Parse(null, [])));
    }

    /// <summary>The identity service publishes its directory at start; until it has arrived, the owners' e-mails resolve to nobody.</summary>
    private async Task<DirectoryUser> WaitForDirectoryAsync(CancellationToken stoppingToken)
    {
        string[] needed = [AdminEmail, .. DemoDeals.OwnerEmails];
        while (true)
        {
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<OpportunityDbContext>();
                var users = await db.Directory.IgnoreQueryFilters().AsNoTracking()
                    .Where(u => needed.Contains(u.Email) && u.Active).ToListAsync(stoppingToken);
                if (users.Select(u => u.Email).Distinct().Count() == needed.Length)
                {
                    return users.Single(u => u.Email == AdminEmail);
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
