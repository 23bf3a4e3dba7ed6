using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Pipeline.Contracts;
using Pipeline.Messaging.Organizations;
using Pipeline.Notification.Domain;
using Pipeline.Notification.Infrastructure;
using Pipeline.Notification.Streaming;

namespace Pipeline.Notification.Email;

public sealed class DigestOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>The digest goes out once a day, from this time in the organisation's own time zone.</summary>
    public TimeOnly LocalTime { get; set; } = new(8, 0);

    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Each morning in the organisation's time zone (<c>OrganizationChanged</c>: Acme at 08:00 in Paris, Globex at 08:00 in
/// New York), every user with overdue open activities gets one digest listing them, on the channels their
/// preferences choose for <c>digest</c> (by default e-mail only). Once per organisation and local day, however many
/// replicas check: the first to record the day sends it.
/// </summary>
public sealed partial class DailyDigest(
    IServiceScopeFactory scopes, NpgsqlDataSource database, TimeProvider clock, IOptions<DigestOptions> options, DeliverySignals signals,
    ILogger<DailyDigest> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.CheckInterval, clock);
        do
        {
            try
            {
                await RunDueAsync(clock.GetUtcNow(), stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogFailed(logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Sends the digests due at <paramref name="now"/> and not sent yet; returns how many users got one.</summary>
    public async Task<int> RunDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var organizations = new List<Guid>();
        await using (var command = database.CreateCommand(
                         "SELECT DISTINCT organization_id FROM assigned_activities WHERE completed_at IS NULL AND due_at < $1"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = now });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                organizations.Add(reader.GetGuid(0));
            }
        }

        var sent = 0;
        foreach (var organization in organizations)
        {
            sent += await RunAsync(organization, now, cancellationToken);
        }

        return sent;
    }

    private async Task<int> RunAsync(Guid organizationId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotificationDbContext>();
        var stream = scope.ServiceProvider.GetRequiredService<StreamJournal>();
        var notifier = scope.ServiceProvider.GetRequiredService<Notifier>();
        db.Tenant.Use(organizationId);
        var calendar = (await OrganizationProfiles.CurrentAsync(db, cancellationToken)).Calendar;
        var local = TimeZoneInfo.ConvertTime(now, calendar.Zone);
        if (TimeOnly.FromDateTime(local.DateTime) < options.Value.LocalTime)
        {
            return 0;
        }

        var day = calendar.DayOf(now);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var first = await db.Database.ExecuteSqlAsync(
            $"INSERT INTO digest_runs (organization_id, day, recipients, ran_at) VALUES ({organizationId}, {day}, 0, {now}) ON CONFLICT DO NOTHING",
            cancellationToken);
        if (first == 0)
        {
            return 0;
        }

        var overdue = await (
                from activity in db.Activities.AsNoTracking()
                where activity.CompletedAt == null && activity.DueAt < now
                join deal in db.Deals.AsNoTracking() on activity.OpportunityId equals deal.OpportunityId into deals
                from deal in deals.DefaultIfEmpty()
                orderby activity.DueAt
                select new { activity.AssigneeId, activity.Subject, activity.Type, activity.DueAt, activity.OpportunityId, Deal = deal == null ? null : deal.Title })
            .ToListAsync(cancellationToken);
        var recipients = 0;
        foreach (var assignee in overdue.GroupBy(a => a.AssigneeId))
        {
            var lines = assignee.Select(a =>
                $"{TimeZoneInfo.ConvertTime(a.DueAt!.Value, calendar.Zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} · {a.Type} · {a.Subject}"
                + (a.Deal is null ? "" : $" · {a.Deal}")).ToList();
            var count = lines.Count.ToString(CultureInfo.InvariantCulture);
            var record = await notifier.NotifyAsync(new NotificationRequest(
                CorrelationOf(organizationId, day, assignee.Key),
                [new NotificationRecipient(assignee.Key)],
                Channels.Email,
                $"{count} overdue activities",
                string.Join("\n", lines),
                "/activities?assignee=me&due=overdue",
                Kind: NotificationKinds.Digest,
                Template: EmailComposer.Digest,
                TemplateValues: new Dictionary<string, string> { ["count"] = count, ["items"] = string.Join("\n", lines) }), cancellationToken);
            if (record is { InboxItems: > 0 } or { Emails: > 0 })
            {
                recipients++;
            }
        }

        await db.Database.ExecuteSqlAsync(
            $"UPDATE digest_runs SET recipients = {recipients} WHERE organization_id = {organizationId} AND day = {day}", cancellationToken);
        await stream.WriteAsync(db, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        stream.Committed();
        signals.Email.Set();
        LogSent(logger, organizationId, day, recipients);
        return recipients;
    }

    /// <summary>The same for one user's digest of one day, whoever computes it.</summary>
    private static Guid CorrelationOf(Guid organizationId, DateOnly day, string userId) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"digest:{organizationId}:{day:yyyy-MM-dd}:{userId}"))[..16]);

    [LoggerMessage(Level = LogLevel.Information, Message = "Daily digest of {OrganizationId} for {Day}: {Recipients} users")]
    private static partial void LogSent(ILogger logger, Guid organizationId, DateOnly day, int recipients);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The daily digest failed; it is tried again at the next check")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
