using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Notification.Domain;
using Pipeline.Notification.Infrastructure;
using Pipeline.Notification.Streaming;
using Pipeline.ServiceDefaults;

namespace Pipeline.Notification.Webhooks;

/// <summary>
/// Counts a subscription's deliveries that failed in a row; past <see cref="WebhookOptions.PauseAfterFailedDeliveries"/>
/// the subscription is paused (no new deliveries, none attempted) and the organisation's admins are notified, in the
/// same transaction, once. An admin resumes it (<c>POST /api/webhooks/{id}/resume</c>).
/// </summary>
public sealed partial class SubscriptionPausing(
    IServiceScopeFactory scopes, IOptions<WebhookOptions> options, DeliverySignals signals, ILogger<SubscriptionPausing> logger)
{
    public async Task DeliveryFailedAsync(Guid organizationId, Guid subscriptionId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotificationDbContext>();
        var stream = scope.ServiceProvider.GetRequiredService<StreamJournal>();
        db.Tenant.Use(organizationId);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var failures = (await db.Database.SqlQuery<int>($"""
            UPDATE webhook_subscriptions SET consecutive_failures = consecutive_failures + 1
            WHERE id = {subscriptionId} AND organization_id = {organizationId} RETURNING consecutive_failures AS "Value"
            """).ToListAsync(cancellationToken)).SingleOrDefault();
        string? paused = null;
        if (failures >= options.Value.PauseAfterFailedDeliveries)
        {
            // Only the update that pauses it (status still active) notifies.
            paused = (await db.Database.SqlQuery<string>($"""
                UPDATE webhook_subscriptions SET status = 'paused', paused_at = now()
                WHERE id = {subscriptionId} AND status = 'active' RETURNING url AS "Value"
                """).ToListAsync(cancellationToken)).SingleOrDefault();
        }

        if (paused is not null)
        {
            LogPaused(logger, subscriptionId, options.Value.PauseAfterFailedDeliveries);
            var notifier = scope.ServiceProvider.GetRequiredService<Notifier>();
            await notifier.NotifyAsync(new NotificationRequest(
                Guid.NewGuid(),
                [new NotificationRecipient(UserId: null, Role: Roles.Admin)],
                Channels.InApp,
                $"Webhook paused: {paused}",
                $"Its last {options.Value.PauseAfterFailedDeliveries} deliveries failed, so no more are sent. Check the receiver, "
                + "then resume the subscription; failed deliveries can be redelivered.",
                $"/api/webhooks/{subscriptionId}/deliveries",
                Kind: NotificationKinds.WebhookPaused), cancellationToken);
            await stream.WriteAsync(db, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        stream.Committed();
        signals.Email.Set();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook subscription {SubscriptionId} paused: {Failures} deliveries failed in a row")]
    private static partial void LogPaused(ILogger logger, Guid subscriptionId, int failures);
}
