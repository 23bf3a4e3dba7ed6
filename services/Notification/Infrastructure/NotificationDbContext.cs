using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Pipeline.Messaging;
using Pipeline.Messaging.Organizations;
using Pipeline.Messaging.Tenancy;
using Pipeline.Messaging.Diagnostics;
using Pipeline.Notification.Domain;

namespace Pipeline.Notification.Infrastructure;

public sealed class NotificationDbContext(DbContextOptions<NotificationDbContext> options, TenantScope tenant) : ServiceDbContext(options, tenant)
{
    public DbSet<DirectoryUser> Directory => Set<DirectoryUser>();

    public DbSet<DealReaders> Deals => Set<DealReaders>();

    public DbSet<AssignedActivity> Activities => Set<AssignedActivity>();

    public DbSet<InboxItem> InboxItems => Set<InboxItem>();

    public DbSet<NotificationRecord> NotificationRecords => Set<NotificationRecord>();

    public DbSet<NotificationPreferences> Preferences => Set<NotificationPreferences>();

    public DbSet<StreamItem> StreamItems => Set<StreamItem>();

    public DbSet<StreamPosition> StreamPositions => Set<StreamPosition>();

    public DbSet<OutgoingEmail> Emails => Set<OutgoingEmail>();

    public DbSet<DigestRun> DigestRuns => Set<DigestRun>();

    public DbSet<WebhookSubscription> Subscriptions => Set<WebhookSubscription>();

    public DbSet<WebhookDelivery> Deliveries => Set<WebhookDelivery>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.MapProbeReceipts();
        modelBuilder.MapOrganizationProfiles();
        modelBuilder.Entity<DirectoryUser>(user =>
        {
            user.ToTable("directory_users");
            user.HasKey(u => new { u.OrganizationId, u.UserId });
            user.Property(u => u.UserId).HasMaxLength(100);
            user.Property(u => u.Role).HasMaxLength(20);
            user.Property(u => u.Name).HasMaxLength(200);
            user.Property(u => u.Email).HasMaxLength(320);
            user.HasIndex(u => new { u.OrganizationId, u.TeamId });
        });
        modelBuilder.Entity<DealReaders>(deal =>
        {
            deal.ToTable("deal_readers");
            deal.HasKey(d => new { d.OrganizationId, d.OpportunityId });
            deal.Property(d => d.OwnerId).HasMaxLength(100);
            deal.Property(d => d.Status).HasMaxLength(10);
            deal.Property(d => d.Title).HasMaxLength(200);
        });
        modelBuilder.Entity<AssignedActivity>(activity =>
        {
            activity.ToTable("assigned_activities");
            activity.HasKey(a => a.ActivityId);
            activity.Property(a => a.AssigneeId).HasMaxLength(100);
            activity.Property(a => a.Type).HasMaxLength(20);
            activity.Property(a => a.Subject).HasMaxLength(200);
            // The digest: each organisation's overdue open activities.
            activity.HasIndex(a => new { a.OrganizationId, a.DueAt }).HasFilter("completed_at IS NULL");
        });
        modelBuilder.Entity<InboxItem>(item =>
        {
            item.ToTable("inbox_items");
            item.Property(i => i.UserId).HasMaxLength(100);
            item.Property(i => i.Title).HasMaxLength(200);
            item.Property(i => i.Body).HasMaxLength(4000);
            item.Property(i => i.Link).HasMaxLength(2000);
            item.Property(i => i.Kind).HasMaxLength(50);
            // A user's inbox, newest first, paged by (created_at, id); the unread count reads the partial index.
            item.HasIndex(i => new { i.OrganizationId, i.UserId, i.CreatedAt, i.Id }).IsDescending(false, false, true, true);
            item.HasIndex(i => new { i.OrganizationId, i.UserId }).HasFilter("read_at IS NULL").HasDatabaseName("ix_inbox_items_unread");
            item.HasIndex(i => new { i.OrganizationId, i.CorrelationId, i.UserId }).IsUnique();
        });
        modelBuilder.Entity<NotificationRecord>(record =>
        {
            record.ToTable("notification_records");
            record.HasKey(r => new { r.OrganizationId, r.CorrelationId });
            record.Property(r => r.Kind).HasMaxLength(50);
            record.Property(r => r.Title).HasMaxLength(200);
        });
        modelBuilder.Entity<NotificationPreferences>(preferences =>
        {
            preferences.ToTable("notification_preferences");
            preferences.HasKey(p => new { p.OrganizationId, p.UserId });
            preferences.Property(p => p.UserId).HasMaxLength(100);
            preferences.Property(p => p.Language).HasMaxLength(5);
            preferences.OwnsMany(p => p.Kinds, kinds => kinds.ToJson());
        });
        modelBuilder.Entity<StreamItem>(item =>
        {
            item.ToTable("stream_items");
            item.HasKey(i => new { i.OrganizationId, i.Position });
            item.Property(i => i.Type).HasMaxLength(20);
            item.Property(i => i.UserId).HasMaxLength(100);
            item.Property(i => i.OwnerId).HasMaxLength(100);
            item.Property(i => i.Data).HasColumnType("text");
            item.HasIndex(i => i.CreatedAt); // retention
        });
        modelBuilder.Entity<StreamPosition>(position =>
        {
            position.ToTable("stream_positions");
            position.HasKey(p => p.OrganizationId);
        });
        modelBuilder.Entity<OutgoingEmail>(email =>
        {
            email.ToTable("outgoing_emails");
            email.Property(e => e.ToAddress).HasMaxLength(320);
            email.Property(e => e.ToName).HasMaxLength(200);
            email.Property(e => e.Subject).HasMaxLength(300);
            email.Property(e => e.Kind).HasMaxLength(50);
            email.Property(e => e.Status).HasMaxLength(10);
            email.HasIndex(e => new { e.OrganizationId, e.CorrelationId, e.ToAddress }).IsUnique();
            // The sender's queue: due pending mail.
            email.HasIndex(e => e.NextAttemptAt).HasFilter("status = 'pending'").HasDatabaseName("ix_outgoing_emails_due");
        });
        modelBuilder.Entity<DigestRun>(run =>
        {
            run.ToTable("digest_runs");
            run.HasKey(r => new { r.OrganizationId, r.Day });
        });
        modelBuilder.Entity<WebhookSubscription>(subscription =>
        {
            subscription.ToTable("webhook_subscriptions");
            subscription.Property(s => s.Url).HasMaxLength(2000);
            subscription.Property(s => s.Description).HasMaxLength(500);
            subscription.Property(s => s.Status).HasMaxLength(10);
            subscription.Property(s => s.Secret).HasMaxLength(100);
            subscription.Property(s => s.PreviousSecret).HasMaxLength(100);
            subscription.Property(s => s.CreatedBy).HasMaxLength(100);
            subscription.HasMany<WebhookDelivery>().WithOne().HasForeignKey(d => d.SubscriptionId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<WebhookDelivery>(delivery =>
        {
            delivery.ToTable("webhook_deliveries");
            delivery.Property(d => d.Event).HasMaxLength(100);
            delivery.Property(d => d.Status).HasMaxLength(10);
            delivery.Property(d => d.LastError).HasMaxLength(1000);
            delivery.Property(d => d.Body).HasColumnType("text");
            delivery.HasIndex(d => new { d.SubscriptionId, d.SourceEventId }).IsUnique();
            // A subscription's delivery log, newest first.
            delivery.HasIndex(d => new { d.SubscriptionId, d.CreatedAt, d.Id }).IsDescending(false, true, true);
            // The dispatcher's queue: due pending deliveries.
            delivery.HasIndex(d => d.NextAttemptAt).HasFilter("status = 'pending'").HasDatabaseName("ix_webhook_deliveries_due");
        });
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running service.</summary>
internal sealed class NotificationDesignTimeFactory : IDesignTimeDbContextFactory<NotificationDbContext>
{
    public NotificationDbContext CreateDbContext(string[] args) => new(ServiceHost.DesignTimeOptions<NotificationDbContext>(), new TenantScope());
}
