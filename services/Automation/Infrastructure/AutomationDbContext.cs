using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Design;
using Pipeline.Automation.Domain;
using Pipeline.Messaging;
using Pipeline.Messaging.Organizations;
using Pipeline.Messaging.Tenancy;
using Pipeline.Messaging.Diagnostics;

namespace Pipeline.Automation.Infrastructure;

public sealed class AutomationDbContext(DbContextOptions<AutomationDbContext> options, TenantScope tenant) : ServiceDbContext(options, tenant)
{
    public const string RevisionSequence = "rule_revisions";

    public DbSet<AutomationRule> Rules => Set<AutomationRule>();

    public DbSet<RuleSeed> RuleSeeds => Set<RuleSeed>();

    public DbSet<RuleRun> Runs => Set<RuleRun>();

    public DbSet<Deal> Deals => Set<Deal>();

    public DbSet<DealQuote> Quotes => Set<DealQuote>();

    public DbSet<DealActivity> Activities => Set<DealActivity>();

    public DbSet<PipelineStage> Stages => Set<PipelineStage>();

    public DbSet<SalesUser> Users => Set<SalesUser>();

    public DbSet<ExchangeRate> ExchangeRates => Set<ExchangeRate>();

    public DbSet<OrganizationProfile> Profiles => Set<OrganizationProfile>();

    public DbSet<DeferredTrigger> DeferredTriggers => Set<DeferredTrigger>();

    /// <summary>The next value of the rules' revision sequence (see <see cref="AutomationRule.Revision"/>).</summary>
    public async Task<long> NextRevisionAsync(CancellationToken cancellationToken) =>
        await Database.SqlQueryRaw<long>($"SELECT nextval('{RevisionSequence}') AS \"Value\"").SingleAsync(cancellationToken);

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.MapOrganizationProfiles();
        modelBuilder.MapProbeReceipts();
        modelBuilder.HasSequence<long>(RevisionSequence);

        modelBuilder.Entity<AutomationRule>(rule =>
        {
            rule.ToTable("automation_rules");
            rule.HasKey(r => r.Id);
            rule.Property(r => r.Name).HasMaxLength(AutomationRule.NameMaxLength);
            rule.Property(r => r.TriggerType).HasMaxLength(40);
            rule.Property(r => r.SeedKey).HasMaxLength(40);
            rule.Property(r => r.CreatedBy).HasMaxLength(100);
            rule.Property(r => r.UpdatedBy).HasMaxLength(100);
            rule.Property(r => r.Definition).HasColumnType("jsonb").HasConversion(
                definition => JsonSerializer.Serialize(definition, RuleDefinition.Json),
                json => JsonSerializer.Deserialize<RuleDefinition>(json, RuleDefinition.Json)!,
                new ValueComparer<RuleDefinition>((a, b) => ReferenceEquals(a, b), d => d.GetHashCode(), d => d));
            rule.Property(r => r.Version).IsConcurrencyToken();
            rule.HasIndex(r => new { r.OrganizationId, r.Revision });
            rule.HasIndex(r => new { r.OrganizationId, r.CreatedAt });
        });
        modelBuilder.Entity<RuleSeed>(seed =>
        {
            seed.ToTable("rule_seeds");
            seed.HasKey(s => new { s.OrganizationId, s.SeedKey });
            seed.Property(s => s.SeedKey).HasMaxLength(40);
        });
        modelBuilder.Entity<RuleRun>(run =>
        {
            run.ToTable("rule_runs");
            run.HasKey(r => r.Id);
            run.Property(r => r.Status).HasMaxLength(20);
            run.Property(r => r.TriggerType).HasMaxLength(40);
            run.Property(r => r.Episode).HasMaxLength(100);
            run.Property(r => r.Trigger).HasMaxLength(500);
            run.Property(r => r.Reason).HasMaxLength(2000);
            run.Property(r => r.TraceParent).HasMaxLength(100);
            // Once per rule, deal and event or episode, whichever replica or tick finds it.
            run.HasIndex(r => new { r.RuleId, r.OpportunityId, r.Episode }).IsUnique();
            // The scheduler's claim: only the few waiting runs are in it.
            run.HasIndex(r => r.DueAt).HasFilter("status = 'scheduled'").HasDatabaseName("ix_rule_runs_due_scheduled");
            run.HasIndex(r => new { r.OrganizationId, r.CreatedAt, r.Id });
            run.HasIndex(r => new { r.OrganizationId, r.OpportunityId, r.CreatedAt });
        });
        modelBuilder.Entity<Deal>(deal =>
        {
            deal.ToTable("deals");
            deal.HasKey(d => d.OpportunityId);
            deal.Ignore(d => d.IsOpen);
            deal.Property(d => d.Status).HasMaxLength(10);
            deal.Property(d => d.Currency).HasMaxLength(3);
            deal.HasIndex(d => new { d.OrganizationId, d.Status });
        });
        modelBuilder.Entity<DealQuote>(quote =>
        {
            quote.ToTable("deal_quotes");
            quote.HasKey(q => q.QuoteId);
            quote.Ignore(q => q.IsAwaitingAnswer);
            quote.Property(q => q.Status).HasMaxLength(10);
            quote.Property(q => q.Currency).HasMaxLength(3);
            quote.HasIndex(q => new { q.OrganizationId, q.OpportunityId });
        });
        modelBuilder.Entity<DealActivity>(activity =>
        {
            activity.ToTable("deal_activities");
            activity.HasKey(a => a.ActivityId);
            activity.HasIndex(a => new { a.OrganizationId, a.OpportunityId });
        });
        modelBuilder.Entity<PipelineStage>(stage =>
        {
            stage.ToTable("pipeline_stages");
            stage.HasKey(s => s.StageId);
            stage.Property(s => s.Name).HasMaxLength(100);
            stage.Property(s => s.PipelineName).HasMaxLength(100);
        });
        modelBuilder.Entity<SalesUser>(user =>
        {
            user.ToTable("sales_users");
            user.HasKey(u => new { u.OrganizationId, u.UserId });
            user.Property(u => u.UserId).HasMaxLength(100);
            user.Property(u => u.Role).HasMaxLength(20);
            user.Property(u => u.Name).HasMaxLength(200);
            user.Property(u => u.Email).HasMaxLength(320);
            user.Property(u => u.TeamName).HasMaxLength(100);
        });
        modelBuilder.Entity<DeferredTrigger>(deferred =>
        {
            deferred.ToTable("deferred_triggers");
            deferred.HasKey(d => d.EventId);
            deferred.Property(d => d.Type).HasMaxLength(100);
            deferred.Property(d => d.Body).HasColumnType("jsonb");
            deferred.HasIndex(d => d.OpportunityId);
        });
        modelBuilder.Entity<ExchangeRate>(rate =>
        {
            rate.ToTable("exchange_rates");
            rate.HasKey(r => new { r.OrganizationId, r.QuotedIn, r.Currency, r.EffectiveFrom });
            rate.Property(r => r.Currency).HasMaxLength(3);
            rate.Property(r => r.QuotedIn).HasMaxLength(3);
        });
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running service.</summary>
internal sealed class AutomationDesignTimeFactory : IDesignTimeDbContextFactory<AutomationDbContext>
{
    public AutomationDbContext CreateDbContext(string[] args) => new(ServiceHost.DesignTimeOptions<AutomationDbContext>(), new TenantScope());
}
