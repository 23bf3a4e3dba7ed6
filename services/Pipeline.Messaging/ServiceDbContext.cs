using System.Diagnostics;
using System.Linq.Expressions;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Messaging.Inbox;
using Pipeline.Messaging.Outbox;
using Pipeline.Messaging.Tenancy;

namespace Pipeline.Messaging;

/// <summary>
/// Base of every service's DbContext. It adds the outbox and inbox tables, so that a state change and the events
/// it raises (or the message it handled) commit in one transaction; and it enforces tenancy by construction:
/// every query of an <see cref="ITenantOwned"/> entity is filtered to the current organisation, and every
/// insert is stamped with it.
/// </summary>
public abstract class ServiceDbContext(DbContextOptions options, TenantScope tenant) : DbContext(options)
{
    private const string TenantFilter = "tenant";

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<InboxMessage> InboxMessages => Set<InboxMessage>();

    public DbSet<SetAsideOutboxMessage> SetAsideOutboxMessages => Set<SetAsideOutboxMessage>();

    /// <summary>The organisation this unit of work is scoped to.</summary>
    public TenantScope Tenant { get; } = tenant;

    /// <summary>Read by the query filters: no organisation means no rows.</summary>
    protected Guid CurrentOrganizationId => Tenant.OrganizationId ?? Guid.Empty;

    /// <summary>Set when events were saved inside a transaction that has not committed yet (see <see cref="OutboxSignalInterceptor"/>).</summary>
    internal bool HasUncommittedEvents { get; set; }

    /// <summary>Queues an event for publication; it is written by the next <c>SaveChanges</c>, with the state change.</summary>
    public void Publish(IntegrationMessage message)
    {
        var activity = Activity.Current;
        var type = message.GetType();
        var body = JsonSerializer.Serialize(message, type, MessageSerialization.Options);
        OutboxMessages.Add(new OutboxMessage
        {
            MessageId = message.EventId,
            MessageType = type.FullName!,
            Body = body,
            TraceParent = activity?.Id,
            TraceState = activity?.TraceStateString,
            CreatedAt = DateTimeOffset.UtcNow,
        });
        OnPublished(message, body);
    }

    /// <summary>A service that keeps the history of its events (for replay) records it here, in the same transaction.</summary>
    protected virtual void OnPublished(IntegrationMessage message, string body)
    {
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        StampOrganization();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        StampOrganization();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>The service's own entities; tenant filters are added afterwards to every <see cref="ITenantOwned"/> one.</summary>
    protected virtual void ConfigureModel(ModelBuilder modelBuilder)
    {
    }

    protected sealed override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OutboxMessage>(outbox =>
        {
            outbox.ToTable("outbox_messages");
            outbox.HasKey(m => m.Sequence);
            outbox.Property(m => m.Sequence).UseIdentityAlwaysColumn();
            outbox.Property(m => m.MessageType).HasMaxLength(200);
        });
        modelBuilder.Entity<SetAsideOutboxMessage>(aside =>
        {
            aside.ToTable("outbox_set_aside");
            aside.HasKey(m => m.Sequence);
            aside.Property(m => m.Sequence).ValueGeneratedNever();
            aside.Property(m => m.MessageType).HasMaxLength(200);
            aside.Property(m => m.Reason).HasMaxLength(500);
        });
        modelBuilder.Entity<InboxMessage>(inbox =>
        {
            inbox.ToTable("inbox_messages");
            inbox.HasKey(m => new { m.Consumer, m.MessageId });
            inbox.Property(m => m.Consumer).HasMaxLength(200);
            inbox.HasIndex(m => m.ProcessedAt);
        });
        ConfigureModel(modelBuilder);

        foreach (var entity in modelBuilder.Model.GetEntityTypes().Where(e => typeof(ITenantOwned).IsAssignableFrom(e.ClrType)))
        {
            // entity => entity.OrganizationId == this.CurrentOrganizationId, evaluated per query against this context.
            var row = Expression.Parameter(entity.ClrType, "row");
            var filter = Expression.Lambda(
                Expression.Equal(
                    Expression.Property(row, nameof(ITenantOwned.OrganizationId)),
                    Expression.Property(Expression.Constant(this), nameof(CurrentOrganizationId))),
                row);
            modelBuilder.Entity(entity.ClrType).HasQueryFilter(TenantFilter, filter);
            if (!entity.GetIndexes().Any(index => index.Properties[0].Name == nameof(ITenantOwned.OrganizationId))
                && entity.FindPrimaryKey()?.Properties[0].Name != nameof(ITenantOwned.OrganizationId))
            {
                modelBuilder.Entity(entity.ClrType).HasIndex(nameof(ITenantOwned.OrganizationId));
            }
        }
    }

    private void StampOrganization()
    {
        foreach (var entry in ChangeTracker.Entries<ITenantOwned>())
        {
            var organization = entry.Property(nameof(ITenantOwned.OrganizationId));
            if (entry.State == EntityState.Added && (Guid)organization.CurrentValue! == Guid.Empty)
            {
                organization.CurrentValue = Tenant.OrganizationId
                    ?? throw new InvalidOperationException($"A {entry.Metadata.ClrType.Name} cannot be saved outside of an organisation.");
            }
            else if (entry.State is EntityState.Added or EntityState.Modified
                     && Tenant.OrganizationId is { } current
                     && (Guid)organization.CurrentValue! != current)
            {
                throw new InvalidOperationException($"A {entry.Metadata.ClrType.Name} of another organisation cannot be written here.");
            }
        }
    }
}
