using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Messaging.Diagnostics;
using Pipeline.Messaging.Inbox;
using Pipeline.Messaging.Outbox;

namespace Pipeline.Messaging;

/// <summary>
/// Base of every service's DbContext: adds the outbox and inbox tables, so that a state change and the events
/// it raises (or the message it handled) are committed in one transaction.
/// </summary>
public abstract class ServiceDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<InboxMessage> InboxMessages => Set<InboxMessage>();

    public DbSet<ProbeReceipt> ProbeReceipts => Set<ProbeReceipt>();

    /// <summary>Set when events were saved inside a transaction that has not committed yet (see <see cref="OutboxSignalInterceptor"/>).</summary>
    internal bool HasUncommittedEvents { get; set; }

    /// <summary>Queues an event for publication; it is written by the next <c>SaveChanges</c>, with the state change.</summary>
    public void Publish(IntegrationMessage message)
    {
        var activity = Activity.Current;
        var type = message.GetType();
        OutboxMessages.Add(new OutboxMessage
        {
            MessageId = message.EventId,
            MessageType = type.FullName!,
            Body = JsonSerializer.Serialize(message, type, MessageSerialization.Options),
            TraceParent = activity?.Id,
            TraceState = activity?.TraceStateString,
            CreatedAt = DateTimeOffset.UtcNow,
        });
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OutboxMessage>(outbox =>
        {
            outbox.ToTable("outbox_messages");
            outbox.HasKey(m => m.Sequence);
            outbox.Property(m => m.Sequence).UseIdentityAlwaysColumn();
            outbox.Property(m => m.MessageType).HasMaxLength(200);
        });
        modelBuilder.Entity<InboxMessage>(inbox =>
        {
            inbox.ToTable("inbox_messages");
            inbox.HasKey(m => new { m.Consumer, m.MessageId });
            inbox.Property(m => m.Consumer).HasMaxLength(200);
            inbox.HasIndex(m => m.ProcessedAt);
        });
        modelBuilder.Entity<ProbeReceipt>(receipt =>
        {
            receipt.ToTable("probe_receipts");
            receipt.HasKey(r => r.ProbeId);
            receipt.Property(r => r.SentBy).HasMaxLength(100);
        });
    }
}
