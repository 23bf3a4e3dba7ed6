using Pipeline.Contracts;
using Pipeline.Messaging.Inbox;
using Pipeline.Notification.Domain;
using Pipeline.Notification.Infrastructure;
using Pipeline.Notification.Streaming;

namespace Pipeline.Notification.Consumers;

/// <summary>
/// How every consumer of the service handles a message: once (the project's inbox), its stream events numbered last
/// before the commit, and after the commit the stream events handed to every replica and the e-mail sender and
/// webhook dispatcher woken for what it added.
/// </summary>
public sealed class UnitOfWork(NotificationDbContext db, StreamJournal stream, DeliverySignals signals)
{
    public NotificationDbContext Db => db;

    public StreamJournal Stream => stream;

    public Task HandleOnceAsync(string consumer, IntegrationMessage message, ILogger logger, Func<Task> effect, CancellationToken cancellationToken) =>
        HandleEachOnceAsync(consumer, message.OrganizationId, [message], logger, _ => effect(), cancellationToken);

    /// <summary>Messages of one organisation in one transaction; <paramref name="effect"/> gets the ids not handled before.</summary>
    public async Task HandleEachOnceAsync(
        string consumer, Guid organizationId, IReadOnlyCollection<IntegrationMessage> messages, ILogger logger, Func<IReadOnlySet<Guid>, Task> effect,
        CancellationToken cancellationToken)
    {
        stream.Reset();
        await Inbox.HandleEachOnceAsync(db, consumer, organizationId, messages, logger, async firstDeliveries =>
        {
            await effect(firstDeliveries);
            await stream.WriteAsync(db, cancellationToken);
        }, cancellationToken);
        stream.Committed();
        if (db.ChangeTracker.Entries<OutgoingEmail>().Any())
        {
            signals.Email.Set();
        }

        if (db.ChangeTracker.Entries<WebhookDelivery>().Any())
        {
            signals.Webhooks.Set();
        }
    }
}
