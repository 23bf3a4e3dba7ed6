using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Notification.Email;
using Pipeline.Notification.Infrastructure;
using Pipeline.Notification.Streaming;

namespace Pipeline.Notification.Domain;

/// <summary>What to notify: a <c>SendNotification</c>, or a notification the service raises itself (a paused webhook).</summary>
public sealed record NotificationRequest(
    Guid CorrelationId,
    IReadOnlyList<NotificationRecipient> Recipients,
    string Channel,
    string Title,
    string? Body = null,
    string? Link = null,
    Guid? OpportunityId = null,
    string Kind = NotificationKinds.General,
    string? Template = null,
    IReadOnlyDictionary<string, string>? TemplateValues = null);

/// <summary>
/// Turns a notification into inbox items (each also a stream event) and e-mails, for each recipient on the channels
/// their preferences choose, in the current unit of work: the caller's transaction commits them all or none. One
/// correlation id is notified once; what could not be delivered is recorded with the reason, never retried.
/// </summary>
public sealed partial class Notifier(
    NotificationDbContext db, StreamJournal stream, EmailComposer composer, TimeProvider clock, NotificationMetrics metrics, ILogger<Notifier> logger)
{
    public async Task<NotificationRecord?> NotifyAsync(NotificationRequest request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var kind = Truncate(request.Kind, 50)!;
        var title = Truncate(request.Title, 200)!;
        // Claims the correlation id first: the same command sent twice and handled at once by two replicas (two
        // event ids, so the inbox lets both through) waits here for the first, then finds it and does nothing.
        var organizationId = db.Tenant.OrganizationId!.Value;
        var claimed = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO notification_records (organization_id, correlation_id, kind, title, inbox_items, emails, skipped, created_at)
            VALUES ({organizationId}, {request.CorrelationId}, {kind}, {title}, 0, 0, {Array.Empty<string>()}, {now}) ON CONFLICT DO NOTHING
            """, cancellationToken);
        if (claimed == 0)
        {
            LogAlreadyNotified(logger, request.CorrelationId);
            return null;
        }

        // As inserted; tracked from here, so that what follows is saved as an update of it.
        var record = new NotificationRecord
        {
            OrganizationId = organizationId, CorrelationId = request.CorrelationId, Kind = kind, Title = title, CreatedAt = now,
        };
        db.NotificationRecords.Attach(record);
        var (users, outsiders) = await Recipients.ResolveAsync(db, request.Recipients, record.Skipped, cancellationToken);
        var userIds = users.Select(u => u.UserId).ToList();
        var preferences = await db.Preferences.Where(p => userIds.Contains(p.UserId)).ToDictionaryAsync(p => p.UserId, cancellationToken);
        foreach (var user in users)
        {
            var stored = preferences.GetValueOrDefault(user.UserId);
            var channels = NotificationPreferences.Resolve(stored, kind, request.Channel);
            if (channels.InApp)
            {
                var item = new InboxItem
                {
                    Id = Guid.NewGuid(), UserId = user.UserId, Title = title, Body = Truncate(request.Body, 4000),
                    Link = Truncate(request.Link, 2000), OpportunityId = request.OpportunityId, Kind = kind, CorrelationId = request.CorrelationId,
                    CreatedAt = now,
                };
                db.InboxItems.Add(item);
                stream.Add(new PendingStreamItem(
                    StreamEventTypes.Notification, JsonSerializer.Serialize(NotificationView.From(item), Json.Options), UserId: user.UserId));
                record.InboxItems++;
            }

            if (channels.Email)
            {
                AddEmail(request, user.Email, user.Name, stored?.Language, now);
                record.Emails++;
            }

            if (!channels.InApp && !channels.Email)
            {
                record.Skipped.Add($"user:{user.UserId}: no channel chosen for '{kind}' notifications");
            }
        }

        foreach (var outsider in outsiders)
        {
            if (request.Channel != Channels.Email)
            {
                record.Skipped.Add($"{outsider.Email}: an outside address receives e-mail only, not '{request.Channel}'");
                continue;
            }

            AddEmail(request, outsider.Email!, outsider.Name, request.TemplateValues?.GetValueOrDefault("language"), now);
            record.Emails++;
        }

        metrics.InboxItemsCreated(record.InboxItems);
        if (record.Skipped.Count > 0)
        {
            LogSkipped(logger, request.CorrelationId, string.Join("; ", record.Skipped));
        }

        return record;
    }

    private void AddEmail(NotificationRequest request, string address, string? name, string? language, DateTimeOffset now)
    {
        var content = composer.Compose(request, language, name);
        db.Emails.Add(new OutgoingEmail
        {
            Id = Guid.NewGuid(), ToAddress = address, ToName = name, Subject = Truncate(content.Subject, 300)!, TextBody = content.Text,
            HtmlBody = content.Html, Kind = Truncate(request.Kind, 50)!, CorrelationId = request.CorrelationId, CreatedAt = now, NextAttemptAt = now,
            TraceParent = System.Diagnostics.Activity.Current?.Id,
        });
    }

    private static string? Truncate(string? text, int length) => text is { } t && t.Length > length ? t[..length] : text;

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification {CorrelationId} was already sent; ignored")]
    private static partial void LogAlreadyNotified(ILogger logger, Guid correlationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {CorrelationId} skipped some recipients: {Skipped}")]
    private static partial void LogSkipped(ILogger logger, Guid correlationId, string skipped);
}

/// <summary>The JSON of the stream's events and webhook deliveries: camelCase, as the APIs answer.</summary>
public static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
