using Npgsql;

namespace Pipeline.Reporting.Projections;

/// <summary>
/// Folds the rollup deltas that projections append (<c>deal_rollup_deltas</c>) into the rollups the reports read,
/// four times a second. Reports read both, so nothing waits for a fold; folding keeps the deltas few, and keeps
/// the projections from queueing behind one another on the locks of shared rollup rows. One replica folds at a
/// time (the database function takes an advisory lock); the others skip their turn.
/// </summary>
public sealed partial class RollupFolder(NpgsqlDataSource database, ILogger<RollupFolder> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var fold = database.CreateCommand("SELECT fold_deal_rollup_deltas()");
                await fold.ExecuteScalarAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
            {
                LogFoldFailed(logger, exception); // the deltas stay, and are still read: the next turn retries
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Folding the report rollup deltas failed; retrying at the next turn")]
    private static partial void LogFoldFailed(ILogger logger, Exception exception);
}
