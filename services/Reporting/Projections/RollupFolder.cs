using Npgsql;

namespace Pipeline.Reporting.Projections;

/// <summary>
/// Folds the rollup deltas that projections append (<c>deal_rollup_deltas</c>, <c>stage_rollup_deltas</c>) into the rollups the reports read,
/// four times a second. Reports read both, so nothing waits for a fold; folding keeps the deltas few, and keeps
/// the projections from queueing behind one another on the locks of shared rollup rows. One replica folds at a
/// time (the database function takes an advisory lock); the others skip their turn.
/// </summary>
public sealed partial class RollupFolder(NpgsqlDataSource database, ILogger<RollupFolder> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    // Every report scans the deltas: left to autovacuum (a minute apart at best), the rows folded away stay in the
    // table as dead tuples, and a report measured after a bulk load read 800,000 of them (0.5 s instead of 25 ms).
    private static readonly TimeSpan VacuumInterval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        var folded = 0L;
        var lastVacuum = TimeProvider.System.GetTimestamp();
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var fold = database.CreateCommand("SELECT fold_deal_rollup_deltas() + fold_stage_rollup_deltas()");
                folded += (long)(await fold.ExecuteScalarAsync(stoppingToken))!;
                if (folded > 0 && TimeProvider.System.GetElapsedTime(lastVacuum) >= VacuumInterval)
                {
                    await using var vacuum = database.CreateCommand("VACUUM (SKIP_LOCKED) deal_rollup_deltas, stage_rollup_deltas");
                    await vacuum.ExecuteNonQueryAsync(stoppingToken);
                    (folded, lastVacuum) = (0, TimeProvider.System.GetTimestamp());
                }
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
