using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Pipeline.Messaging.Inbox;

/// <summary>
/// Forgets handled message ids after <see cref="Retention"/>: no broker redelivers a message that old, and
/// without this the inbox would grow with every event the service ever consumed.
/// </summary>
internal sealed partial class InboxRetention(NpgsqlDataSource database, ILogger<InboxRetention> logger) : BackgroundService
{
    public static readonly TimeSpan Retention = TimeSpan.FromDays(14);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1));
        do
        {
            try
            {
                await using var command = database.CreateCommand("DELETE FROM inbox_messages WHERE processed_at < now() - @retention");
                command.Parameters.AddWithValue("retention", Retention);
                var removed = await command.ExecuteNonQueryAsync(stoppingToken);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Forgot {Count} handled message ids older than the inbox retention")]
    private static partial void LogRemoved(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbox retention sweep failed; it runs again within the hour")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
