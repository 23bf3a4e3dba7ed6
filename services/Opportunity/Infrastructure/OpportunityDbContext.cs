using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Pipeline.Contracts;
using Pipeline.Messaging;
using Pipeline.Messaging.Organizations;
using Pipeline.Messaging.Tenancy;
using Pipeline.Opportunity.Domain;

namespace Pipeline.Opportunity.Infrastructure;

// The sales domain's Opportunity: from inside namespace Pipeline.Opportunity, C# would find the namespace first.
using Opportunity = Pipeline.Opportunity.Domain.Opportunity;

public sealed class OpportunityDbContext(DbContextOptions<OpportunityDbContext> options, TenantScope tenant) : ServiceDbContext(options, tenant)
{
    public DbSet<SalesPipeline> Pipelines => Set<SalesPipeline>();

    public DbSet<Stage> Stages => Set<Stage>();

    public DbSet<Opportunity> Opportunities => Set<Opportunity>();

    public DbSet<HistoryEntry> History => Set<HistoryEntry>();

    public DbSet<Quote> Quotes => Set<Quote>();

    public DbSet<QuoteCounter> QuoteCounters => Set<QuoteCounter>();

    public DbSet<SalesActivity> Activities => Set<SalesActivity>();

    public DbSet<ExchangeRateTable> ExchangeRateTables => Set<ExchangeRateTable>();

    public DbSet<OrganizationProfile> OrganizationProfiles => Set<OrganizationProfile>();

    public DbSet<ExchangeRate> ExchangeRates => Set<ExchangeRate>();

    public DbSet<DirectoryUser> Directory => Set<DirectoryUser>();

    public DbSet<ImportJob> ImportJobs => Set<ImportJob>();

    public DbSet<PublishedEvent> PublishedEvents => Set<PublishedEvent>();

    protected override void OnPublished(IntegrationMessage message, string body) =>
        PublishedEvents.Add(new PublishedEvent
        {
            OrganizationId = message.OrganizationId, EventId = message.EventId, Type = message.GetType().Name, Body = body, OccurredAt = message.OccurredAt,
        });

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<SalesPipeline>(pipeline =>
        {
            pipeline.ToTable("pipelines");
            pipeline.Property(p => p.Name).HasMaxLength(100);
            pipeline.HasMany(p => p.Stages).WithOne().HasForeignKey(s => s.PipelineId);
            pipeline.Ignore(p => p.OrderedStages);
            // One default pipeline per organisation, even when two first requests race to create it.
            pipeline.HasIndex(p => p.OrganizationId).IsUnique().HasFilter("is_default");
        });
        modelBuilder.Entity<Stage>(stage =>
        {
            stage.Property(s => s.Name).HasMaxLength(100);
        });
        modelBuilder.Entity<Opportunity>(opportunity =>
        {
            opportunity.Property(o => o.Title).HasMaxLength(200);
            opportunity.Property(o => o.AccountName).HasMaxLength(200);
            opportunity.Property(o => o.ContactName).HasMaxLength(200);
            opportunity.Property(o => o.ContactEmail).HasMaxLength(320);
            opportunity.Property(o => o.OwnerId).HasMaxLength(100);
            opportunity.Property(o => o.Currency).HasMaxLength(3).IsFixedLength();
            opportunity.Property(o => o.Amount).HasPrecision(18, 2);
            opportunity.Property(o => o.Source).HasMaxLength(100);
            opportunity.Property(o => o.Segment).HasMaxLength(100);
            opportunity.Property(o => o.Status).HasMaxLength(10).HasConversion(s => s.Value, v => OpportunityStatus.Parse(v));
            opportunity.Property(o => o.LostReason).HasMaxLength(500);
            opportunity.Property(o => o.Version).IsConcurrencyToken();
            opportunity.Ignore(o => o.IsOpen);
            // The board and the filtered list read by pipeline, status and stage; lists sort by decision date.
            opportunity.HasIndex(o => new { o.OrganizationId, o.PipelineId, o.Status, o.StageId });
            opportunity.HasIndex(o => new { o.OrganizationId, o.ExpectedDecisionDate, o.Id });
            opportunity.HasIndex(o => new { o.OrganizationId, o.OwnerId });
        });
        modelBuilder.Entity<HistoryEntry>(history =>
        {
            history.ToTable("opportunity_history");
            history.Property(h => h.Kind).HasMaxLength(10);
            history.Property(h => h.Field).HasMaxLength(50);
            history.HasIndex(h => new { h.OpportunityId, h.Id });
        });
        modelBuilder.Entity<Quote>(quote =>
        {
            quote.Property(q => q.Number).HasMaxLength(20);
            quote.Property(q => q.Currency).HasMaxLength(3).IsFixedLength();
            quote.Property(q => q.Amount).HasPrecision(18, 2);
            quote.Property(q => q.Status).HasMaxLength(10);
            quote.Property(q => q.Version).IsConcurrencyToken();
            quote.HasIndex(q => new { q.OrganizationId, q.Number }).IsUnique();
            quote.HasIndex(q => q.OpportunityId);
        });
        modelBuilder.Entity<QuoteCounter>().HasKey(c => c.OrganizationId);
        modelBuilder.Entity<SalesActivity>(activity =>
        {
            activity.ToTable("activities");
            activity.Property(a => a.Type).HasMaxLength(10);
            activity.Property(a => a.Subject).HasMaxLength(200);
            activity.Property(a => a.AssigneeId).HasMaxLength(100);
            activity.HasIndex(a => new { a.OrganizationId, a.AssigneeId, a.Done, a.DueAt });
            activity.HasIndex(a => a.OpportunityId);
            activity.HasIndex(a => new { a.OrganizationId, a.CorrelationId }).IsUnique().HasFilter("correlation_id IS NOT NULL");
        });
        modelBuilder.MapOrganizationProfiles();
        modelBuilder.Entity<ExchangeRateTable>(table =>
        {
            table.HasKey(t => t.OrganizationId);
            table.Property(t => t.QuotedIn).HasMaxLength(3).IsFixedLength();
        });
        modelBuilder.Entity<ExchangeRate>(rate =>
        {
            rate.HasKey(r => new { r.OrganizationId, r.Currency, r.EffectiveFrom });
            rate.Property(r => r.Currency).HasMaxLength(3).IsFixedLength();
            rate.Property(r => r.Rate).HasPrecision(18, 8);
        });
        modelBuilder.Entity<DirectoryUser>(user =>
        {
            user.ToTable("directory_users");
            user.HasKey(u => u.UserId);
            user.Property(u => u.Email).HasMaxLength(320);
            user.HasIndex(u => new { u.OrganizationId, u.Email });
        });
        modelBuilder.Entity<PublishedEvent>(published =>
        {
            published.ToTable("published_events");
            published.HasKey(e => e.Sequence);
            published.Property(e => e.Sequence).UseIdentityAlwaysColumn();
            published.Property(e => e.Type).HasMaxLength(100);
            published.HasIndex(e => new { e.OrganizationId, e.Sequence });
        });
        modelBuilder.Entity<ImportJob>(job =>
        {
            job.Property(j => j.Status).HasMaxLength(10);
            job.OwnsMany(j => j.Errors, errors => errors.ToJson());
        });
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running service.</summary>
internal sealed class OpportunityDesignTimeFactory : IDesignTimeDbContextFactory<OpportunityDbContext>
{
    public OpportunityDbContext CreateDbContext(string[] args) => new(ServiceHost.DesignTimeOptions<OpportunityDbContext>(), new TenantScope());
}
