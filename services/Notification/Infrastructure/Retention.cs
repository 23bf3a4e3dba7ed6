using Microsoft.Extensions.Options;
using Npgsql;
using Pipeline.Notification.Streaming;

namespace Pipeline.Notification.Infrastructure;

/// <summary>
/// Forgets what no one needs any more, hourly: stream events past their replay window (<c>Stream:Retention</c>),
/// and sent e-mail, finished webhook deliveries, completed activities and digest days after 30 days. Inbox items stay.
/// </summary>
public sealed partial class Retention(NpgsqlDataSource database, IOptions<StreamOptions> stream, ILogger<Retention> logger) : BackgroundService
{
    private static readonly TimeSpan Log = TimeSpan.FromDays(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1));
        do
        {
            try
            {
                await using var batch = database.CreateBatch();
                batch.BatchCommands.Add(Delete("DELETE FROM stream_items WHERE created_at < now() - $1", stream.Value.Retention));
                batch.BatchCommands.Add(Delete("DELETE FROM outgoing_emails WHERE status <> 'pending' AND created_at < now() - $1", Log));
                batch.BatchCommands.Add(Delete("DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < now() - $1", Log));
                batch.BatchCommands.Add(Delete("DELETE FROM assigned_activities WHERE completed_at < now() - $1", Log));
                batch.BatchCommands.Add(Delete("DELETE FROM digest_runs WHERE ran_at < now() - $1", Log));
                var removed = await batch.ExecuteNonQueryAsync(stoppingToken);
                if (removed > 0)
                {
                    LogRemoved(logger, removed);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogFailed(logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private static NpgsqlBatchCommand Delete(string sql, TimeSpan age)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = age });
        return command;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention removed {Count} old rows (stream events, sent mail, finished deliveries)")]
    private static partial void LogRemoved(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention sweep failed; it runs again within the hour")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
