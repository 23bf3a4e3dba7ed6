using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Pipeline.Contracts;

namespace Pipeline.Messaging.Inbox;

/// <summary>
/// A consumer whose effect happens exactly once per message: the message's <c>EventId</c> is recorded in the
/// inbox in the same transaction as the effect, so a redelivery (after a crash, a lost ack, a republished outbox
/// row) finds it recorded and changes nothing. Two copies handled at the same time serialise on the inbox key.
/// Events the handler raises are written to the outbox in that same transaction.
/// </summary>
public abstract partial class IdempotentConsumer<TMessage, TContext>(TContext db, ILogger logger) : IConsumer<TMessage>
    where TMessage : IntegrationMessage
    where TContext : ServiceDbContext
{
    protected TContext Db { get; } = db;

    public async Task Consume(ConsumeContext<TMessage> context)
    {
        var cancellationToken = context.CancellationToken;
        var message = context.Message;
        Db.ChangeTracker.Clear();
        // The message's organisation, never ambient state, decides what this consumer may read and write.
        Db.Tenant.Use(message.OrganizationId);
        await using var transaction = await Db.Database.BeginTransactionAsync(cancellationToken);

        var consumer = GetType().Name;
        var firstDelivery = await Db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO inbox_messages (consumer, message_id, processed_at) VALUES ({consumer}, {message.EventId}, now()) ON CONFLICT DO NOTHING",
            cancellationToken) == 1;
        if (!firstDelivery)
        {
            LogDuplicate(logger, typeof(TMessage).Name, message.EventId, consumer);
            return;
        }

        await HandleAsync(message, context);
        await Db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Applies the message's effect to <see cref="Db"/>; the base class saves and commits.</summary>
    protected abstract Task HandleAsync(TMessage message, ConsumeContext<TMessage> context);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{MessageType} {EventId} was already handled by {Consumer}; ignored")]
    private static partial void LogDuplicate(ILogger logger, string messageType, Guid eventId, string consumer);
}
