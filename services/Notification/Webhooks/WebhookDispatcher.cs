using System.Diagnostics;
using System.Net;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;
using Pipeline.Notification.Domain;
using Pipeline.Notification.Email;
using Pipeline.Notification.Infrastructure;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Pipeline.Notification.Webhooks;

/// <summary>
/// Sends due webhook deliveries, on every replica. Each attempt is a signed <c>POST</c> bounded by the timeout;
/// network errors, timeouts, 5xx, 408 and 429 are retried at once a few times (Polly, honouring a short
/// <c>Retry-After</c>), then the delivery is rescheduled with exponential backoff and jitter (or at the receiver's
/// <c>Retry-After</c>) until its retry period ends, and then it is failed. An address refused by the SSRF rules
/// fails at once. Each subscription has at most a few attempts in flight, so a slow receiver never holds the others.
/// </summary>
public sealed partial class WebhookDispatcher(
    NpgsqlDataSource database, IOptions<WebhookOptions> options, DeliverySignals signals, SubscriptionPausing pausing, NotificationMetrics metrics,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(30);
    private readonly Dictionary<Guid, int> _inFlightBySubscription = [];
    private readonly HttpClient _http = WebhookClient.Create(options.Value.Outbound, options.Value.Concurrency);
    private ResiliencePipeline<HttpResponseMessage> _attempt = ResiliencePipeline<HttpResponseMessage>.Empty;
    private readonly Channel<Success> _successes = Channel.CreateUnbounded<Success>(new UnboundedChannelOptions { SingleReader = true });
    private int _inFlight;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        _attempt = BuildAttemptPipeline(settings);
        var recording = RecordSuccessesAsync();
        while (!stoppingToken.IsCancellationRequested)
        {
            var free = settings.Concurrency - Volatile.Read(ref _inFlight);
            if (free < Math.Max(1, settings.Concurrency / 4))
            {
                // Nearly full: wait for attempts to end rather than claim one or two at a time.
                await signals.Webhooks.WaitAsync(settings.PollInterval, stoppingToken);
                continue;
            }

            var claimed = 0;
            try
            {
                var batch = await ClaimAsync(free, settings, stoppingToken);
                claimed = batch.Count;
                foreach (var delivery in batch)
                {
                    Start(delivery, stoppingToken);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogClaimFailed(logger, exception);
            }

            if (claimed == 0)
            {
                // Nothing due: wait for a commit of this replica, an attempt to end (its delivery may be due again), or the poll.
                await signals.Webhooks.WaitAsync(settings.PollInterval, stoppingToken);
            }
        }

        _successes.Writer.TryComplete();
        await recording;
    }

    /// <summary>Records the successful attempts in batches: whatever has accumulated while the previous batch was written.</summary>
    private async Task RecordSuccessesAsync()
    {
        var batch = new List<Success>();
        while (await _successes.Reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            while (batch.Count < 1000 && _successes.Reader.TryRead(out var success))
            {
                batch.Add(success);
            }

            try
            {
                await using var record = database.CreateBatch();
                record.BatchCommands.Add(Command("""
                    UPDATE webhook_deliveries d SET status = 'succeeded', attempts = d.attempts + s.extra, last_status_code = s.code, last_error = NULL,
                        next_attempt_at = NULL, completed_at = now()
                    FROM unnest($1::uuid[], $2::int[], $3::int[]) AS s(id, extra, code) WHERE d.id = s.id
                    """, batch.Select(s => s.Id).ToArray(), batch.Select(s => s.ExtraAttempts).ToArray(), batch.Select(s => s.StatusCode).ToArray()));
                record.BatchCommands.Add(Command(
                    "UPDATE webhook_subscriptions SET consecutive_failures = 0 WHERE id = ANY($1) AND consecutive_failures > 0",
                    batch.Select(s => s.SubscriptionId).Distinct().ToArray()));
                await record.ExecuteNonQueryAsync(CancellationToken.None);
            }
            catch (Exception exception)
            {
                // Their leases run out and they are delivered again, with the same delivery ids.
                LogRecordFailed(logger, exception, batch.Count);
            }

        }
    }

    private void Start(ClaimedDelivery delivery, CancellationToken stoppingToken)
    {
        Interlocked.Increment(ref _inFlight);
        lock (_inFlightBySubscription)
        {
            _inFlightBySubscription[delivery.SubscriptionId] = _inFlightBySubscription.GetValueOrDefault(delivery.SubscriptionId) + 1;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await DeliverAsync(delivery, stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Its lease runs out and another attempt follows; nothing is lost.
                LogAttemptCrashed(logger, exception, delivery.Id);
            }
            finally
            {
                lock (_inFlightBySubscription)
                {
                    if (--_inFlightBySubscription[delivery.SubscriptionId] == 0)
                    {
                        _inFlightBySubscription.Remove(delivery.SubscriptionId);
                    }
                }

                Interlocked.Decrement(ref _inFlight);
                signals.Webhooks.Set();
            }
        }, CancellationToken.None);
    }

    /// <summary>
    /// Leases due deliveries of active subscriptions, a few per subscription. The lease (the attempt's longest
    /// duration and a margin) is the delivery's next attempt time: should this replica die, another takes it then.
    /// </summary>
    private async Task<List<ClaimedDelivery>> ClaimAsync(int limit, WebhookOptions settings, CancellationToken cancellationToken)
    {
        Guid[] full;
        lock (_inFlightBySubscription)
        {
            full = _inFlightBySubscription.Where(s => s.Value >= settings.ConcurrencyPerSubscription).Select(s => s.Key).ToArray();
        }

        var lease = (settings.Timeout * (settings.ImmediateRetries + 1)) + (settings.ImmediateRetryDelay * Math.Pow(2, settings.ImmediateRetries)) + LeaseMargin;
        // The window picks a few per subscription among the first due; the UPDATE checks again under each row's lock,
        // so two replicas never lease the same delivery.
        await using var command = database.CreateCommand("""
            WITH due AS (
                SELECT d.id, d.subscription_id, d.next_attempt_at FROM webhook_deliveries d
                JOIN webhook_subscriptions s ON s.id = d.subscription_id AND s.status = 'active'
                WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND d.subscription_id <> ALL($3)
                ORDER BY d.next_attempt_at LIMIT 2000),
            picked AS (
                SELECT id FROM (SELECT id, next_attempt_at, row_number() OVER (PARTITION BY subscription_id ORDER BY next_attempt_at) AS n FROM due) ranked
                WHERE n <= $4 ORDER BY next_attempt_at LIMIT $2)
            UPDATE webhook_deliveries d SET next_attempt_at = now() + $1, attempts = d.attempts + 1
            FROM webhook_subscriptions s
            WHERE d.id IN (SELECT id FROM picked) AND s.id = d.subscription_id
              AND d.status = 'pending' AND d.next_attempt_at <= now()
            RETURNING d.id, d.organization_id, d.subscription_id, d.event, d.body, d.attempts, d.retry_until, d.trace_parent,
                      s.url, s.secret, s.previous_secret, s.previous_secret_expires_at
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = lease });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        command.Parameters.Add(new NpgsqlParameter { Value = full });
        command.Parameters.Add(new NpgsqlParameter { Value = settings.ConcurrencyPerSubscription });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var claimed = new List<ClaimedDelivery>();
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new ClaimedDelivery(
                reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3), reader.GetString(4), reader.GetInt32(5),
                reader.GetFieldValue<DateTimeOffset>(6), reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetString(8), reader.GetString(9),
                reader.IsDBNull(10) ? null : reader.GetString(10), reader.IsDBNull(11) ? null : reader.GetFieldValue<DateTimeOffset>(11)));
        }

        return claimed;
    }

    private async Task DeliverAsync(ClaimedDelivery delivery, CancellationToken cancellationToken)
    {
        ActivityContext.TryParse(delivery.TraceParent, null, out var parent);
        using var activity = NotificationMetrics.Tracing.StartActivity("deliver webhook", ActivityKind.Client, parent);
        activity?.SetTag("pipeline.webhook.delivery_id", delivery.Id);
        activity?.SetTag("pipeline.webhook.event", delivery.Event);

        var now = DateTimeOffset.UtcNow;
        var secrets = delivery.PreviousSecret is not null && delivery.PreviousSecretExpiresAt > now
            ? new[] { delivery.Secret, delivery.PreviousSecret }
            : [delivery.Secret];
        var body = Encoding.UTF8.GetBytes(delivery.Body);
        var signature = WebhookEvents.Signature(body, secrets);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        var attempts = 0;
        var outcome = new AttemptOutcome();
        try
        {
            using var response = await _attempt.ExecuteAsync(async (resilience, state) =>
            {
                attempts++;
                var started = Stopwatch.GetTimestamp();
                using var request = new HttpRequestMessage(HttpMethod.Post, state.Url) { Content = new ByteArrayContent(state.Body) };
                request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
                request.Headers.Add("X-Pipeline-Event", state.Event);
                request.Headers.Add("X-Pipeline-Delivery", state.Id.ToString());
                request.Headers.Add("X-Pipeline-Signature", state.Signature);
                request.Headers.UserAgent.ParseAdd("Pipeline.Cloud-Webhooks/1.0");
                try
                {
                    var answer = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, resilience.CancellationToken);
                    metrics.WebhookAttempt(answer.IsSuccessStatusCode ? "succeeded" : "retry", Stopwatch.GetElapsedTime(started));
                    return answer;
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    metrics.WebhookAttempt("retry", Stopwatch.GetElapsedTime(started));
                    throw;
                }
            }, context, (delivery.Url, Body: body, delivery.Event, delivery.Id, Signature: signature));
            outcome = await AttemptOutcome.OfAsync(response, options.Value.MaxErrorBodyBytes, cancellationToken);
        }
        catch (HttpRequestException exception) when (exception.InnerException is OutboundAddressRefusedException refused)
        {
            outcome = new AttemptOutcome { Error = refused.Message, Refused = true };
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            outcome = new AttemptOutcome { Error = exception is TimeoutRejectedException ? $"No answer within {options.Value.Timeout.TotalSeconds:0} s" : exception.GetBaseException().Message };
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        activity?.SetTag("http.response.status_code", outcome.StatusCode);
        if (!outcome.Succeeded)
        {
            activity?.SetStatus(ActivityStatusCode.Error, outcome.Error);
        }

        await RecordAsync(delivery, attempts, outcome, cancellationToken);
    }

    private async Task RecordAsync(ClaimedDelivery delivery, int attempts, AttemptOutcome outcome, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var extraAttempts = Math.Max(0, attempts - 1);
        if (outcome.Succeeded)
        {
            // Recorded with others in one statement: at hundreds of deliveries a second, one round trip each was most
            // of the database's work. Until then the delivery's lease keeps it from being sent again.
            // (Refused only while the replica stops: the lease covers it too.)
            _successes.Writer.TryWrite(new Success(delivery.Id, delivery.SubscriptionId, extraAttempts, outcome.StatusCode!.Value));
            return;
        }

        var delay = Backoff.Delay(delivery.Attempts, settings.FirstRetryDelay, settings.MaxRetryDelay);
        if (outcome.RetryAfter is { } retryAfter && retryAfter > delay)
        {
            delay = retryAfter > settings.MaxRetryDelay ? settings.MaxRetryDelay : retryAfter;
        }

        var failed = outcome.Refused || DateTimeOffset.UtcNow + delay > delivery.RetryUntil;
        await using var record = database.CreateCommand(failed
            ? """
              UPDATE webhook_deliveries SET status = 'failed', attempts = attempts + $2, last_status_code = $3, last_error = $4,
                  next_attempt_at = NULL, completed_at = now() WHERE id = $1
              """
            : """
              UPDATE webhook_deliveries SET attempts = attempts + $2, last_status_code = $3, last_error = $4, next_attempt_at = now() + $5
              WHERE id = $1
              """);
        foreach (var value in new object[] { delivery.Id, extraAttempts, (object?)outcome.StatusCode ?? DBNull.Value, outcome.Error ?? "", delay })
        {
            record.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await record.ExecuteNonQueryAsync(cancellationToken);
        if (failed)
        {
            metrics.WebhookAttempt(outcome.Refused ? "refused" : "failed", TimeSpan.Zero);
            LogFailed(logger, delivery.Id, delivery.SubscriptionId, delivery.Attempts + extraAttempts, outcome.Error);
            await pausing.DeliveryFailedAsync(delivery.OrganizationId, delivery.SubscriptionId, cancellationToken);
        }
        else
        {
            LogRetrying(logger, delivery.Id, delay, outcome.Error);
        }
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }

    private static ResiliencePipeline<HttpResponseMessage> BuildAttemptPipeline(WebhookOptions settings) =>
        new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Math.Max(settings.ImmediateRetries, 0) is var retries && retries > 0 ? retries : 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.ImmediateRetryDelay,
                ShouldHandle = arguments => ValueTask.FromResult(settings.ImmediateRetries > 0 && arguments.Outcome switch
                {
                    { Exception: HttpRequestException { InnerException: OutboundAddressRefusedException } } => false,
                    { Exception: HttpRequestException or TimeoutRejectedException } => true,
                    { Result: { } response } => IsRetryable(response.StatusCode) && (RetryAfter(response) ?? TimeSpan.Zero) <= MaxImmediateRetryAfter,
                    _ => false,
                }),
                // A receiver that says when to come back is taken at its word.
                DelayGenerator = arguments => ValueTask.FromResult(arguments.Outcome.Result is { } response ? RetryAfter(response) : null),
                OnRetry = arguments =>
                {
                    arguments.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(settings.Timeout)
            .Build();

    private static readonly TimeSpan MaxImmediateRetryAfter = TimeSpan.FromSeconds(5);

    private static bool IsRetryable(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;

    internal static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    private sealed record Success(Guid Id, Guid SubscriptionId, int ExtraAttempts, int StatusCode);

    private sealed record ClaimedDelivery(
        Guid Id, Guid OrganizationId, Guid SubscriptionId, string Event, string Body, int Attempts, DateTimeOffset RetryUntil, string? TraceParent,
        string Url, string Secret, string? PreviousSecret, DateTimeOffset? PreviousSecretExpiresAt);

    private sealed class AttemptOutcome
    {
        public int? StatusCode { get; init; }

        public string? Error { get; init; }

        public bool Refused { get; init; }

        public TimeSpan? RetryAfter { get; init; }

        public bool Succeeded => StatusCode is >= 200 and < 300;

        /// <summary>The answer, of which only the start of a failing body is read: a huge body holds nothing up.</summary>
        public static async Task<AttemptOutcome> OfAsync(HttpResponseMessage response, int maxErrorBytes, CancellationToken cancellationToken)
        {
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return new AttemptOutcome { StatusCode = status };
            }

            var error = $"HTTP {status} {response.ReasonPhrase}";
            try
            {
                using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                reading.CancelAfter(TimeSpan.FromSeconds(2));
                await using var stream = await response.Content.ReadAsStreamAsync(reading.Token);
                var buffer = new byte[maxErrorBytes];
                var read = 0;
                while (read < buffer.Length && await stream.ReadAsync(buffer.AsMemory(read), reading.Token) is var n && n > 0)
                {
                    read += n;
                }

                if (read > 0)
                {
                    error += ": " + Encoding.UTF8.GetString(buffer, 0, read);
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or HttpRequestException or IOException)
            {
                // The reason phrase is enough.
            }

            return new AttemptOutcome { StatusCode = status, Error = error, RetryAfter = WebhookDispatcher.RetryAfter(response) };
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} failed for good (subscription {SubscriptionId}, {Attempts} attempts): {Error}")]
    private static partial void LogFailed(ILogger logger, Guid deliveryId, Guid subscriptionId, int attempts, string? error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} retried in {Delay}: {Error}")]
    private static partial void LogRetrying(ILogger logger, Guid deliveryId, TimeSpan delay, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording {Count} successful webhook deliveries failed; they are sent again after their lease")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Claiming webhook deliveries failed; retrying")]
    private static partial void LogClaimFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook delivery {DeliveryId} attempt crashed; retried after its lease")]
    private static partial void LogAttemptCrashed(ILogger logger, Exception exception, Guid deliveryId);
}
