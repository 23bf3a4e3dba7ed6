using MassTransit;
using Pipeline.Contracts;
using Pipeline.Notification.Domain;

namespace Pipeline.Notification.Consumers;

/// <summary>
/// Notifications from automation (or any service): inbox items and e-mails for their recipients, once per command.
/// A recipient who left or does not exist is recorded as skipped; the command is not retried for them.
/// </summary>
/// <remarks>
/// The commands in hand are handled together, one transaction per organisation (a batch of up to
/// <see cref="MaxBatch"/>, collected for at most a few milliseconds: under load, one round trip to the database
/// for the inbox, the stream's numbering and the commit serves them all; alone, a command waits those milliseconds
/// only). If a batch fails, its commands are handled again one by one, so that one that cannot be handled fails by
/// itself; the batch is then retried (those already handled are ignored by the inbox) and ends in the error queue.
/// </remarks>
public sealed partial class SendNotificationConsumer(IServiceScopeFactory scopes, ILogger<SendNotificationConsumer> logger)
    : IConsumer<Batch<SendNotification>>
{
    public const int MaxBatch = 64;
    public static readonly TimeSpan CollectFor = TimeSpan.FromMilliseconds(5);

    public async Task Consume(ConsumeContext<Batch<SendNotification>> context)
    {
        foreach (var organization in context.Message.Select(m => m.Message).GroupBy(m => m.OrganizationId))
        {
            var commands = organization.DistinctBy(m => m.EventId).ToList();
            try
            {
                await HandleAsync(organization.Key, commands, context.CancellationToken);
            }
            catch (Exception exception) when (commands.Count > 1 && exception is not OperationCanceledException)
            {
                LogBatchFailed(logger, exception, commands.Count, organization.Key);
                foreach (var command in commands)
                {
                    await HandleAsync(organization.Key, [command], context.CancellationToken);
                }
            }
        }
    }

    private async Task HandleAsync(Guid organizationId, IReadOnlyList<SendNotification> commands, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var work = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        var notifier = scope.ServiceProvider.GetRequiredService<Notifier>();
        await work.HandleEachOnceAsync(nameof(SendNotificationConsumer), organizationId, commands, logger, async firstDeliveries =>
        {
            foreach (var command in commands.Where(c => firstDeliveries.Contains(c.EventId)))
            {
                await notifier.NotifyAsync(new NotificationRequest(
                    command.CorrelationId, command.Recipients, command.Channel, command.Title, command.Body, command.Link, command.OpportunityId,
                    command.Kind, command.Template, command.TemplateValues), cancellationToken);
            }
        }, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} notifications of {OrganizationId} failed; handling them one by one")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count, Guid organizationId);
}
