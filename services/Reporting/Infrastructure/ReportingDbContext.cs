using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Pipeline.Messaging;
using Pipeline.Messaging.Organizations;
using Pipeline.Messaging.Tenancy;
using Pipeline.Reporting.Domain;
using Pipeline.Messaging.Diagnostics;

namespace Pipeline.Reporting.Infrastructure;

public sealed class ReportingDbContext(DbContextOptions<ReportingDbContext> options, TenantScope tenant) : ServiceDbContext(options, tenant)
{
    public DbSet<DealEvent> DealEvents => Set<DealEvent>();

    public DbSet<Deal> Deals => Set<Deal>();

    public DbSet<StageInterval> StageIntervals => Set<StageInterval>();

    public DbSet<DealChange> DealChanges => Set<DealChange>();

    public DbSet<PipelineStage> PipelineStages => Set<PipelineStage>();

    public DbSet<ExchangeRate> Rates => Set<ExchangeRate>();

    public DbSet<RateTable> RateTables => Set<RateTable>();

    public DbSet<OrganizationProfile> OrganizationProfiles => Set<OrganizationProfile>();

    public DbSet<ProjectionState> ProjectionStates => Set<ProjectionState>();

    public DbSet<RebuildJob> RebuildJobs => Set<RebuildJob>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.MapProbeReceipts();
        modelBuilder.Entity<DealEvent>(e =>
        {
            e.HasKey(x => x.EventId);
            e.Property(x => x.Type).HasMaxLength(50);
            e.Property(x => x.RecordedAt).HasDefaultValueSql("clock_timestamp()");
            e.HasIndex(x => new { x.OrganizationId, x.OpportunityId });
            e.HasIndex(x => new { x.OrganizationId, x.OccurredAt }); // the reports' freshness: the latest event applied
        });
        modelBuilder.Entity<Deal>(d =>
        {
            d.HasKey(x => new { x.OrganizationId, x.Generation, x.OpportunityId });
            d.Property(x => x.Amount).HasPrecision(18, 2);
            d.Property(x => x.Currency).HasMaxLength(3);
            d.Property(x => x.Status).HasMaxLength(10);
            d.Property(x => x.OwnerId).HasMaxLength(100);
            d.Property(x => x.Title).HasMaxLength(200);
            // Reports read closed deals by close date, open ones by decision date, cohorts by creation date.
            d.HasIndex(x => new { x.OrganizationId, x.Generation, x.Status, x.ClosedAt });
            d.HasIndex(x => new { x.OrganizationId, x.Generation, x.CreatedAt });
            d.HasIndex(x => new { x.OrganizationId, x.Generation, x.Status, x.ExpectedDecisionDate });
            // The stale and slipped lists read a page in these orders and stop, instead of sorting every open deal.
            d.HasIndex(x => new { x.OrganizationId, x.Generation, x.Status, x.LastTouchedAt, x.OpportunityId });
            d.HasIndex(x => new { x.OrganizationId, x.Generation, x.PushCount, x.PushedDays, x.OpportunityId })
                .IsDescending(false, false, true, true, false);
            // The median sales cycle of one owner's deals (the rollups do not keep it per owner).
            d.HasIndex(x => new { x.OrganizationId, x.Generation, x.OwnerId, x.Status, x.ClosedAt }).IncludeProperties(x => x.CreatedAt);
        });
        modelBuilder.Entity<StageInterval>(i =>
        {
            i.Property(x => x.Exit).HasMaxLength(10);
            i.HasIndex(x => new { x.OrganizationId, x.Generation, x.OpportunityId });
            // A stage the reports learn of after stays in it (events out of order): which deals to refresh.
            i.HasIndex(x => new { x.OrganizationId, x.StageId });
        });
        modelBuilder.Entity<DealChange>(c =>
        {
            c.HasKey(x => new { x.OrganizationId, x.Generation, x.OpportunityId, x.Sequence });
            c.Property(x => x.Kind).HasMaxLength(20);
            c.Property(x => x.AmountDelta).HasPrecision(18, 2);
            c.Property(x => x.Currency).HasMaxLength(3);
            c.Property(x => x.OpenDelta).HasPrecision(18, 2);
            c.Property(x => x.WeightedDelta).HasPrecision(20, 4);
            c.Property(x => x.PreviousCurrency).HasMaxLength(3);
            c.Property(x => x.RemovedOpenAmount).HasPrecision(18, 2);
            c.Property(x => x.RemovedWeightedAmount).HasPrecision(20, 4);
            c.Property(x => x.OwnerId).HasMaxLength(100);
            // The pipeline review reads a window of time: a week of changes is one range of this index, which holds
            // what its totals read (an index-only scan, wherever the rows lie in the table: a rebuild writes them deal
            // after deal) and, read backwards, gives the deals by their latest change.
            c.HasIndex(x => new { x.OrganizationId, x.Generation, x.At, x.OpportunityId })
                .IncludeProperties(x => new
                {
                    x.Sequence, x.Kind, x.FromStageId, x.ToStageId, x.AmountDelta, x.Currency, x.OpenDelta, x.WeightedDelta, x.PreviousCurrency,
                    x.RemovedOpenAmount, x.RemovedWeightedAmount, x.PipelineId, x.OwnerId, x.TeamId, x.Segment, x.Source,
                });
        });
        modelBuilder.Entity<PipelineStage>(s =>
        {
            s.HasKey(x => new { x.OrganizationId, x.StageId });
            s.Property(x => x.Name).HasMaxLength(100);
            s.HasIndex(x => new { x.OrganizationId, x.PipelineId });
        });
        modelBuilder.Entity<ExchangeRate>(r =>
        {
            r.ToTable("rates");
            r.HasKey(x => new { x.OrganizationId, x.Currency, x.EffectiveFrom });
            r.Property(x => x.Currency).HasMaxLength(3);
            r.Property(x => x.Rate).HasPrecision(18, 8);
        });
        modelBuilder.Entity<RateTable>(t =>
        {
            t.HasKey(x => x.OrganizationId);
            t.Property(x => x.QuotedIn).HasMaxLength(3);
        });
        modelBuilder.Entity<ProjectionState>(p =>
        {
            p.HasKey(x => x.OrganizationId);
            // Read by the database's functions too (Sql/Functions/deal_rollup_changes.sql, deal_stages_of.sql).
            p.Property(x => x.TimeZone).HasMaxLength(64).HasDefaultValue("UTC");
            p.Property(x => x.BuildingTimeZone).HasMaxLength(64);
        });
        modelBuilder.Entity<RebuildJob>(j =>
        {
            j.Property(x => x.Status).HasMaxLength(10);
            j.Property(x => x.Reason).HasMaxLength(20);
            // Replicas look for queued re-cuts.
            j.HasIndex(x => x.Status).HasFilter("status = 'queued'");
        });
        modelBuilder.MapOrganizationProfiles();
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running service.</summary>
internal sealed class ReportingDesignTimeFactory : IDesignTimeDbContextFactory<ReportingDbContext>
{
    public ReportingDbContext CreateDbContext(string[] args) => new(ServiceHost.DesignTimeOptions<ReportingDbContext>(), new TenantScope());
}
