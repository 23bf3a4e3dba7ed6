using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Pipeline.Contracts;
using Pipeline.Messaging.Tenancy;

namespace Pipeline.Messaging.Organizations;

/// <summary>
/// A service's local copy of an organisation's settings, as identity last published them (<see cref="OrganizationChanged"/>):
/// the currency every converted total is in, the time zone days and periods are cut in, the fiscal year's first month.
/// </summary>
public sealed class OrganizationProfile : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public required string Name { get; set; }

    public required string Currency { get; set; }

    public required string TimeZone { get; set; }

    public int FiscalYearStartMonth { get; set; } = 1;

    /// <summary>The version of the last <see cref="OrganizationChanged"/> applied; older copies are ignored.</summary>
    public long Version { get; set; }

    public OrganizationCalendar Calendar => OrganizationCalendar.For(TimeZone, FiscalYearStartMonth);

    /// <summary>
    /// What a service uses before identity's first <see cref="OrganizationChanged"/> for the organisation has arrived
    /// (identity publishes it at every release, before any service starts, so only a brand-new organisation's first
    /// seconds can see this).
    /// </summary>
    public static OrganizationProfile NotYetKnown(Guid organizationId) => new()
    {
        OrganizationId = organizationId, Name = "", Currency = "EUR", TimeZone = "UTC", FiscalYearStartMonth = 1, Version = 0,
    };
}

public static class OrganizationProfiles
{
    /// <summary>Maps the profiles' table; a service that keeps profiles calls this from its model configuration.</summary>
    public static ModelBuilder MapOrganizationProfiles(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OrganizationProfile>(profile =>
        {
            profile.ToTable("organization_profiles");
            profile.HasKey(p => p.OrganizationId);
            profile.Property(p => p.Name).HasMaxLength(200);
            profile.Property(p => p.Currency).HasMaxLength(3);
            profile.Property(p => p.TimeZone).HasMaxLength(64);
            profile.Ignore(p => p.Calendar);
        });
        return modelBuilder;
    }

    /// <summary>The current organisation's profile (the context's tenant), or <see cref="OrganizationProfile.NotYetKnown"/>.</summary>
    public static async Task<OrganizationProfile> CurrentAsync(ServiceDbContext db, CancellationToken cancellationToken)
    {
        var organization = db.Tenant.OrganizationId ?? throw new InvalidOperationException("No organisation in scope.");
        return await db.Set<OrganizationProfile>().AsNoTracking().SingleOrDefaultAsync(cancellationToken)
            ?? OrganizationProfile.NotYetKnown(organization);
    }

    /// <summary>How long a replica may answer with settings it read before: a change reaches every replica within this.</summary>
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(10);

    /// <summary><see cref="CurrentAsync(ServiceDbContext, CancellationToken)"/> through a short-lived cache, for hot paths (every write).</summary>
    public static async Task<OrganizationProfile> CurrentAsync(ServiceDbContext db, IMemoryCache cache, CancellationToken cancellationToken)
    {
        var organization = db.Tenant.OrganizationId ?? throw new InvalidOperationException("No organisation in scope.");
        return (await cache.GetOrCreateAsync(("organization-profile", organization), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheLifetime;
            return await CurrentAsync(db, cancellationToken);
        }))!;
    }

    /// <summary>Forgets this replica's copy (after it applied a change).</summary>
    public static void Forget(IMemoryCache cache, Guid organizationId) => cache.Remove(("organization-profile", organizationId));

    /// <summary>
    /// Applies <paramref name="message"/> when it is newer than the stored profile. Returns the profile before and after,
    /// or null when the message changed nothing (older, or a repeat).
    /// </summary>
    public static async Task<(OrganizationProfile? Before, OrganizationProfile After)?> ApplyAsync(
        ServiceDbContext db, OrganizationChanged message, CancellationToken cancellationToken)
    {
        var profile = await db.Set<OrganizationProfile>().SingleOrDefaultAsync(p => p.OrganizationId == message.OrganizationId, cancellationToken);
        if (profile is not null && profile.Version >= message.Version)
        {
            return null;
        }

        OrganizationProfile? before = null;
        if (profile is null)
        {
            profile = new OrganizationProfile
            {
                OrganizationId = message.OrganizationId, Name = message.Name, Currency = message.Currency, TimeZone = message.TimeZone,
            };
            db.Add(profile);
        }
        else
        {
            before = new OrganizationProfile
            {
                OrganizationId = profile.OrganizationId, Name = profile.Name, Currency = profile.Currency, TimeZone = profile.TimeZone,
                FiscalYearStartMonth = profile.FiscalYearStartMonth, Version = profile.Version,
            };
        }

        profile.Name = message.Name;
        profile.Currency = message.Currency;
        profile.TimeZone = message.TimeZone;
        profile.FiscalYearStartMonth = message.FiscalYearStartMonth;
        profile.Version = message.Version;
        return (before, profile);
    }
}
