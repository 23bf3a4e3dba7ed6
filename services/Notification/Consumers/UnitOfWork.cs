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

    public async Task HandleOnceAsync(string consumer, IntegrationMessage message, ILogger logger, Func<Task> effect, CancellationToken cancellationToken)
    {
        stream.Reset();
        await Inbox.HandleOnceAsync(db, consumer, message, logger, async () =>
        {
            await effect();
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
