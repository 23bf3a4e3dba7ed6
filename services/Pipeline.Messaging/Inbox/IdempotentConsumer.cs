using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Pipeline.Contracts;

namespace Pipeline.Messaging.Inbox;

/// <summary>
/// A consumer whose effect happens exactly once per message: see <see cref="Inbox.HandleOnceAsync"/>.
/// </summary>
public abstract class IdempotentConsumer<TMessage, TContext>(TContext db, ILogger logger) : IConsumer<TMessage>
    where TMessage : IntegrationMessage
    where TContext : ServiceDbContext
{
    protected TContext Db { get; } = db;

    public Task Consume(ConsumeContext<TMessage> context) =>
        Inbox.HandleOnceAsync(Db, GetType().Name, context.Message, logger, () => HandleAsync(context.Message, context), context.CancellationToken);

    /// <summary>Applies the message's effect to <see cref="Db"/>; the inbox saves and commits.</summary>
    protected abstract Task HandleAsync(TMessage message, ConsumeContext<TMessage> context);
}

public static partial class Inbox
{
    /// <summary>
    /// Runs <paramref name="effect"/> once per message and consumer: the message's <c>EventId</c> is recorded in the
    /// inbox in the same transaction as the effect, so a redelivery (after a crash, a lost ack, a republished outbox
    /// row) finds it recorded and changes nothing. Two copies handled at the same time serialise on the inbox key.
    /// Events the effect raises go to the outbox in that same transaction. The unit of work is scoped to the
    /// message's organisation.
    /// </summary>
    public static Task HandleOnceAsync(
        ServiceDbContext db, string consumer, IntegrationMessage message, ILogger logger, Func<Task> effect, CancellationToken cancellationToken) =>
        HandleEachOnceAsync(db, consumer, message.OrganizationId, [message], logger, _ => effect(), cancellationToken);

    /// <summary>
    /// <see cref="HandleOnceAsync"/> for messages of one organisation handled together, in one transaction: their ids
    /// are recorded in the inbox at once, and <paramref name="effect"/> receives the ids recorded now, the messages
    /// not handled before (a copy of one already handled, or twice in the batch, counts once). When every message was
    /// handled before, nothing runs.
    /// </summary>
    public static async Task HandleEachOnceAsync(
        ServiceDbContext db, string consumer, Guid organizationId, IReadOnlyCollection<IntegrationMessage> messages, ILogger logger,
        Func<IReadOnlySet<Guid>, Task> effect, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        db.Tenant.Use(organizationId);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var ids = messages.Select(m => m.EventId).Distinct().ToArray();
        var firstDeliveries = (await db.Database.SqlQuery<Guid>($"""
            INSERT INTO inbox_messages (consumer, message_id, processed_at) SELECT {consumer}, id, now() FROM unnest({ids}) AS id
            ON CONFLICT DO NOTHING RETURNING message_id AS "Value"
            """).ToListAsync(cancellationToken)).ToHashSet();
        foreach (var duplicate in messages.Where(m => !firstDeliveries.Contains(m.EventId)))
        {
            LogDuplicate(logger, duplicate.GetType().Name, duplicate.EventId, consumer);
        }

        if (firstDeliveries.Count == 0)
        {
            return;
        }

        await effect(firstDeliveries);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{MessageType} {EventId} was already handled by {Consumer}; ignored")]
    private static partial void LogDuplicate(ILogger logger, string messageType, Guid eventId, string consumer);
}
