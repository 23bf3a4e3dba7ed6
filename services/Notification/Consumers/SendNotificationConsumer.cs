using MassTransit;
using Pipeline.Contracts;
using Pipeline.Notification.Domain;

namespace Pipeline.Notification.Consumers;

/// <summary>
/// A notification from automation (or any service): inbox items and e-mails for its recipients, once per command.
/// A recipient who left or does not exist is recorded as skipped; the command is not retried for them.
/// </summary>
public sealed class SendNotificationConsumer(UnitOfWork work, Notifier notifier, ILogger<SendNotificationConsumer> logger) : IConsumer<SendNotification>
{
    public Task Consume(ConsumeContext<SendNotification> context) =>
        work.HandleOnceAsync(nameof(SendNotificationConsumer), context.Message, logger, async () =>
        {
            var message = context.Message;
            await notifier.NotifyAsync(new NotificationRequest(
                message.CorrelationId, message.Recipients, message.Channel, message.Title, message.Body, message.Link, message.OpportunityId,
                message.Kind, message.Template, message.TemplateValues), context.CancellationToken);
        }, context.CancellationToken);
}
