using System.Diagnostics;
using MailKit;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;
using Pipeline.Notification.Infrastructure;

namespace Pipeline.Notification.Email;

/// <summary>
/// Sends the pending e-mail through the SMTP server, on every replica: each claims due messages (skipping those
/// another replica holds), sends them over one connection, and records the outcome. An unreachable server or a
/// temporary refusal (4xx) is retried with exponential backoff and jitter for <see cref="EmailOptions.RetryFor"/>;
/// a permanent refusal (5xx: no such mailbox) fails the message at once. Every attempt and its error is recorded.
/// A message is sent again only if the replica died between the server's acceptance and the record of it; its
/// Message-ID stays the same, so mail clients show such a copy once.
/// </summary>
public sealed partial class EmailSender(
    NpgsqlDataSource database, IConfiguration configuration, IOptions<EmailOptions> options, DeliverySignals signals, NotificationMetrics metrics,
    ILogger<EmailSender> logger) : BackgroundService
{
    private const int BatchSize = 20;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var server = SmtpServer.Parse(configuration.GetConnectionString(ResourceNames.Smtp)
            ?? throw new InvalidOperationException($"The connection string 'ConnectionStrings:{ResourceNames.Smtp}' is not configured."));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var batch = await ClaimAsync(stoppingToken);
                if (batch.Count == 0)
                {
                    await signals.Email.WaitAsync(Poll, stoppingToken);
                    continue;
                }

                await SendAsync(server, batch, stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogSenderFailed(logger, exception);
                await Task.Delay(Poll, stoppingToken);
            }
        }
    }

    private async Task<List<ClaimedEmail>> ClaimAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("""
            UPDATE outgoing_emails SET next_attempt_at = now() + $1, attempts = attempts + 1
            WHERE id IN (SELECT id FROM outgoing_emails WHERE status = 'pending' AND next_attempt_at <= now()
                         ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
            RETURNING id, to_address, to_name, subject, text_body, html_body, attempts, created_at, trace_parent
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = Lease });
        command.Parameters.Add(new NpgsqlParameter { Value = BatchSize });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var claimed = new List<ClaimedEmail>();
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new ClaimedEmail(
                reader.GetGuid(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetInt32(6), reader.GetFieldValue<DateTimeOffset>(7), reader.IsDBNull(8) ? null : reader.GetString(8)));
        }

        return claimed;
    }

    private async Task SendAsync(SmtpServer server, List<ClaimedEmail> batch, CancellationToken cancellationToken)
    {
        using var smtp = new SmtpClient { Timeout = (int)options.Value.Timeout.TotalMilliseconds };
        try
        {
            await smtp.ConnectAsync(server.Host, server.Port, server.Security, cancellationToken);
            if (server.UserName is not null)
            {
                await smtp.AuthenticateAsync(server.UserName, server.Password ?? "", cancellationToken);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The server is unreachable or refused us: nothing was sent, everything waits for the next attempt.
            foreach (var email in batch)
            {
                await RecordFailureAsync(email, exception, permanent: false, cancellationToken);
            }

            return;
        }

        foreach (var email in batch)
        {
            using var activity = StartActivity(email);
            try
            {
                await smtp.SendAsync(Message(email), cancellationToken);
                await RecordSentAsync(email, cancellationToken);
            }
            catch (SmtpCommandException refused) when ((int)refused.StatusCode >= 500)
            {
                activity?.SetStatus(ActivityStatusCode.Error, refused.Message);
                await RecordFailureAsync(email, refused, permanent: true, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
                await RecordFailureAsync(email, exception, permanent: false, cancellationToken);
                if (!smtp.IsConnected)
                {
                    foreach (var rest in batch.SkipWhile(e => e != email).Skip(1))
                    {
                        await RecordFailureAsync(rest, exception, permanent: false, cancellationToken);
                    }

                    return;
                }
            }
        }

        await smtp.DisconnectAsync(quit: true, cancellationToken);
    }

    private MimeMessage Message(ClaimedEmail email)
    {
        var message = new MimeMessage
        {
            // The same on every attempt: a copy sent twice (a crash before the outcome was recorded) shows once.
            MessageId = $"{email.Id:N}@pipeline.cloud",
            Subject = email.Subject,
        };
        message.From.Add(MailboxAddress.Parse(options.Value.From));
        message.To.Add(new MailboxAddress(email.ToName ?? "", email.ToAddress));
        message.Body = new BodyBuilder { TextBody = email.TextBody, HtmlBody = email.HtmlBody }.ToMessageBody();
        return message;
    }

    private async Task RecordSentAsync(ClaimedEmail email, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            "UPDATE outgoing_emails SET status = 'sent', sent_at = now(), next_attempt_at = NULL, last_error = NULL WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = email.Id });
        await command.ExecuteNonQueryAsync(cancellationToken);
        metrics.EmailAttempt("sent", DateTimeOffset.UtcNow - email.CreatedAt);
    }

    private async Task RecordFailureAsync(ClaimedEmail email, Exception exception, bool permanent, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var delay = Backoff.Delay(email.Attempts, settings.FirstRetryDelay, settings.MaxRetryDelay);
        var giveUp = permanent || DateTimeOffset.UtcNow + delay > email.CreatedAt + settings.RetryFor;
        await using var command = database.CreateCommand(giveUp
            ? "UPDATE outgoing_emails SET status = 'failed', next_attempt_at = NULL, last_error = $2 WHERE id = $1"
            : "UPDATE outgoing_emails SET next_attempt_at = now() + $3, last_error = $2 WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = email.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = Truncate(exception.Message, 1000) });
        command.Parameters.Add(new NpgsqlParameter { Value = delay });
        await command.ExecuteNonQueryAsync(cancellationToken);
        metrics.EmailAttempt(giveUp ? "failed" : "retry");
        if (giveUp)
        {
            LogGaveUp(logger, exception, email.Id, email.ToAddress, email.Attempts);
        }
        else
        {
            LogRetrying(logger, email.Id, email.Attempts, delay, exception.Message);
        }
    }

    private static Activity? StartActivity(ClaimedEmail email)
    {
        ActivityContext.TryParse(email.TraceParent, null, out var parent);
        var activity = NotificationMetrics.Tracing.StartActivity("send e-mail", ActivityKind.Client, parent);
        activity?.SetTag("pipeline.email.id", email.Id);
        activity?.SetTag("pipeline.email.attempt", email.Attempts);
        return activity;
    }

    private static string Truncate(string text, int length) => text.Length > length ? text[..length] : text;

    private sealed record ClaimedEmail(
        Guid Id, string ToAddress, string? ToName, string Subject, string TextBody, string HtmlBody, int Attempts, DateTimeOffset CreatedAt, string? TraceParent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "E-mail {EmailId} not sent (attempt {Attempt}); retrying in {Delay}: {Error}")]
    private static partial void LogRetrying(ILogger logger, Guid emailId, int attempt, TimeSpan delay, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "E-mail {EmailId} to {Address} failed for good after {Attempts} attempt(s)")]
    private static partial void LogGaveUp(ILogger logger, Exception exception, Guid emailId, string address, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "The e-mail sender failed; it starts again")]
    private static partial void LogSenderFailed(ILogger logger, Exception exception);
}

/// <summary>Exponential backoff with jitter: the delay before attempt n+1, between 50 % and 100 % of first × 2^(n−1), capped.</summary>
public static class Backoff
{
    public static TimeSpan Delay(int attempts, TimeSpan first, TimeSpan max)
    {
        var exponential = first.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
        var capped = Math.Min(exponential, max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + (Random.Shared.NextDouble() / 2)));
    }
}
