using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Pipeline.Messaging.Outbox;

/// <summary>
/// Publishes the outbox to RabbitMQ. Each round claims the oldest rows with <c>FOR UPDATE SKIP LOCKED</c> inside
/// a transaction, publishes them all at once (the broker confirms each), deletes the confirmed ones and commits;
/// <see cref="OutboxOptions.ConcurrentBatches"/> rounds run side by side. Replicas and rounds claim disjoint rows;
/// a dispatcher that dies mid-batch releases its rows with its connection, and they are published again by
/// whoever claims them next (consumers deduplicate by message id). While the broker or the database is
/// unreachable it backs off and keeps trying; it never crashes the service. A row it cannot publish (its type is
/// unknown to this build, its body unreadable) is moved to <c>outbox_set_aside</c> with the reason, in the same
/// transaction, so it neither blocks the rows behind it nor fills the log at every poll; at start, a build that
/// knows a type set aside as unknown (after a rollback and a new release) puts those rows back in the outbox.
/// </summary>
public sealed partial class OutboxDispatcher(
    NpgsqlDataSource database,
    IBus bus,
    OutboxSignal signal,
    OutboxMetrics metrics,
    IOptions<OutboxOptions> options,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan BacklogRefreshInterval = TimeSpan.FromSeconds(5);
    private readonly OutboxOptions _options = options.Value;
    private long _lastBacklogRefresh;

    private const string UnknownType = "unknown type";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RequeueKnownTypesAsync(stoppingToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Not now (the database is still starting): the rows wait for the next start, nothing else does.
            LogRequeueFailed(logger, exception);
        }

        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, _options.ConcurrentBatches)).Select(_ => DispatchLoopAsync(stoppingToken)));
    }

    /// <summary>Puts back in the outbox the rows set aside for a type this build knows.</summary>
    internal async Task<int> RequeueKnownTypesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var types = new List<string>();
        await using (var unknown = new NpgsqlCommand($"SELECT DISTINCT message_type FROM outbox_set_aside WHERE reason = '{UnknownType}'", connection))
        await using (var reader = await unknown.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                types.Add(reader.GetString(0));
            }
        }

        var known = types.Where(type => MessageSerialization.ResolveType(type) is not null).ToArray();
        if (known.Length == 0)
        {
            return 0;
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var requeue = new NpgsqlCommand(
            $"""
            WITH back AS (DELETE FROM outbox_set_aside WHERE reason = '{UnknownType}' AND message_type = ANY(@types) RETURNING *)
            INSERT INTO outbox_messages (message_id, message_type, body, trace_parent, trace_state, created_at)
            SELECT message_id, message_type, body, trace_parent, trace_state, created_at FROM back ORDER BY sequence
            """, connection, transaction);
        requeue.Parameters.AddWithValue("types", known);
        var count = await requeue.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogRequeued(logger, count, string.Join(", ", known));
        return count;
    }

    private async Task DispatchLoopAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var dispatched = await DispatchBatchAsync(stoppingToken);
                await RefreshBacklogAsync(stoppingToken, force: false);
                if (backoff > TimeSpan.Zero)
                {
                    LogRecovered(logger);
                    backoff = TimeSpan.Zero;
                }

                if (dispatched < _options.BatchSize
                    && await signal.WaitAsync(_options.PollInterval, stoppingToken)
                    && _options.Linger > TimeSpan.Zero)
                {
                    // Woken by a commit: give the commits right behind it a moment to join the same batch.
                    await Task.Delay(_options.Linger, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                backoff = backoff == TimeSpan.Zero
                    ? TimeSpan.FromMilliseconds(250)
                    : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
                LogDispatchFailed(logger, exception, backoff.TotalSeconds);
                await TryRefreshBacklogAsync(stoppingToken);
                try
                {
                    await Task.Delay(backoff, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Claims, publishes and removes one batch; returns how many rows it published.</summary>
    internal async Task<int> DispatchBatchAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var batch = await ClaimAsync(connection, transaction, cancellationToken);
        if (batch.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return 0;
        }

        using var publishTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        publishTimeout.CancelAfter(_options.PublishTimeout);
        var outcomes = await Task.WhenAll(batch.Select(row => PublishAsync(row, publishTimeout.Token)));

        var confirmed = batch.Where((_, index) => outcomes[index].Kind == PublishOutcome.Confirmed).Select(row => row.Sequence).ToArray();
        if (confirmed.Length > 0)
        {
            await using var delete = new NpgsqlCommand("DELETE FROM outbox_messages WHERE sequence = ANY(@sequences)", connection, transaction);
            delete.Parameters.AddWithValue("sequences", confirmed);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        var unpublishable = batch.Select((row, index) => (Row: row, Result: outcomes[index])).Where(r => r.Result.Kind == PublishOutcome.Unpublishable).ToArray();
        if (unpublishable.Length > 0)
        {
            await using var setAside = new NpgsqlCommand(
                """
                WITH aside AS (DELETE FROM outbox_messages WHERE sequence = ANY(@sequences) RETURNING *)
                INSERT INTO outbox_set_aside (sequence, message_id, message_type, body, trace_parent, trace_state, created_at, reason, set_aside_at)
                SELECT a.sequence, a.message_id, a.message_type, a.body, a.trace_parent, a.trace_state, a.created_at, r.reason, now()
                FROM aside a JOIN unnest(@sequences, @reasons) AS r(sequence, reason) ON r.sequence = a.sequence
                """, connection, transaction);
            setAside.Parameters.AddWithValue("sequences", unpublishable.Select(u => u.Row.Sequence).ToArray());
            setAside.Parameters.AddWithValue("reasons", unpublishable.Select(u => u.Result.Reason!).ToArray());
            await setAside.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);

        var now = DateTimeOffset.UtcNow;
        foreach (var (row, outcome) in batch.Zip(outcomes))
        {
            if (outcome.Kind == PublishOutcome.Confirmed)
            {
                metrics.RecordLatency(now - row.CreatedAt);
            }
        }

        metrics.RecordPublished(confirmed.Length);
        if (unpublishable.Length > 0)
        {
            metrics.RecordSetAside(unpublishable.Length);
            foreach (var (row, result) in unpublishable)
            {
                LogSetAside(logger, row.MessageId, row.MessageType, result.Reason!);
            }
        }

        var failures = outcomes.Where(outcome => outcome.Kind == PublishOutcome.BrokerFailed).ToArray();
        if (failures.Length > 0)
        {
            metrics.RecordFailed(failures.Length);
            throw new OutboxPublishException(
                $"{failures.Length} of {batch.Count} events were not confirmed by the broker", failures[0].Error);
        }

        return confirmed.Length;
    }

    private async Task<List<ClaimedMessage>> ClaimAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        // One round trip: if this process hangs while holding the rows, the server ends the session and frees them.
        var idleLimit = (int)(_options.PublishTimeout.TotalMilliseconds * 2);
        await using var claim = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"SET LOCAL idle_in_transaction_session_timeout = {idleLimit}"),
                new NpgsqlBatchCommand(
                    """
                    SELECT sequence, message_id, message_type, body, trace_parent, trace_state, created_at
                    FROM outbox_messages
                    ORDER BY sequence
                    LIMIT $1
                    FOR UPDATE SKIP LOCKED
                    """)
                {
                    Parameters = { new NpgsqlParameter { Value = _options.BatchSize } },
                },
            },
        };
        var batch = new List<ClaimedMessage>(_options.BatchSize);
        await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            batch.Add(new ClaimedMessage(
                reader.GetInt64(0),
                reader.GetGuid(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return batch;
    }

    private async Task<Outcome> PublishAsync(ClaimedMessage row, CancellationToken cancellationToken)
    {
        // A type this build does not know was written by a newer version (before a rollback): a build that knows it
        // puts it back at its start.
        var type = MessageSerialization.ResolveType(row.MessageType);
        if (type is null)
        {
            return new Outcome(PublishOutcome.Unpublishable, null, UnknownType);
        }

        object message;
        try
        {
            message = JsonSerializer.Deserialize(row.Body, type, MessageSerialization.Options)
                ?? throw new JsonException("The outbox row holds a null message.");
        }
        catch (JsonException exception)
        {
            var reason = $"unreadable: {exception.Message}";
            return new Outcome(PublishOutcome.Unpublishable, null, reason[..Math.Min(reason.Length, 500)]);
        }

        // Continue the trace of the request that wrote the event; MassTransit's publish span becomes its child.
        ActivityContext.TryParse(row.TraceParent, row.TraceState, out var parent);
        using var activity = OutboxMetrics.ActivitySource.StartActivity($"outbox dispatch {type.Name}", ActivityKind.Internal, parent);
        activity?.SetTag("messaging.message.id", row.MessageId);
        try
        {
            await bus.Publish(message, type, context => context.MessageId = row.MessageId, cancellationToken);
            return new Outcome(PublishOutcome.Confirmed, null);
        }
        catch (Exception exception)
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
            return new Outcome(PublishOutcome.BrokerFailed, exception);
        }
    }

    private async Task TryRefreshBacklogAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RefreshBacklogAsync(cancellationToken, force: true);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The database is unreachable too; the gauges keep their last value until it is back.
        }
    }

    private async Task RefreshBacklogAsync(CancellationToken cancellationToken, bool force)
    {
        var now = Environment.TickCount64;
        if (!force && now - Interlocked.Read(ref _lastBacklogRefresh) < BacklogRefreshInterval.TotalMilliseconds)
        {
            return;
        }

        Interlocked.Exchange(ref _lastBacklogRefresh, now);
        await using var command = database.CreateCommand("SELECT count(*), min(created_at) FROM outbox_messages");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var count = reader.GetInt64(0);
        var oldest = reader.IsDBNull(1) ? DateTimeOffset.UtcNow : reader.GetFieldValue<DateTimeOffset>(1);
        metrics.RecordBacklog(count, DateTimeOffset.UtcNow - oldest);
    }

    private enum PublishOutcome
    {
        Confirmed,
        BrokerFailed,
        Unpublishable,
    }

    /// <summary>What became of one row: published, or not (and why).</summary>
    private sealed record Outcome(PublishOutcome Kind, Exception? Error, string? Reason = null);

    private sealed record ClaimedMessage(
        long Sequence, Guid MessageId, string MessageType, string Body, string? TraceParent, string? TraceState, DateTimeOffset CreatedAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox dispatch failed; retrying in {BackoffSeconds} s")]
    private static partial void LogDispatchFailed(ILogger logger, Exception exception, double backoffSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox dispatch recovered")]
    private static partial void LogRecovered(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox message {MessageId} of type {MessageType} cannot be published ({Reason}): set aside in outbox_set_aside")]
    private static partial void LogSetAside(ILogger logger, Guid messageId, string messageType, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} outbox messages set aside for a type now known ({Types}) are back in the outbox")]
    private static partial void LogRequeued(ILogger logger, int count, string types);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The outbox messages set aside could not be checked at start; they are checked at the next start")]
    private static partial void LogRequeueFailed(ILogger logger, Exception exception);
}

/// <summary>Some events of a batch were not confirmed; they stay in the outbox and the dispatcher backs off.</summary>
public sealed class OutboxPublishException(string message, Exception? cause) : Exception(message, cause);
