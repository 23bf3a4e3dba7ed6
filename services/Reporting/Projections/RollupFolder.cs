using System.Diagnostics.Metrics;
using Npgsql;

namespace Pipeline.Reporting.Projections;

/// <summary>
/// Folds the rollup deltas that projections append (<c>deal_rollup_deltas</c>, <c>stage_rollup_deltas</c>) into the rollups the reports read,
/// four times a second. Reports read both, so nothing waits for a fold; folding keeps the deltas few, and keeps
/// the projections from queueing behind one another on the locks of shared rollup rows. One replica folds at a
/// time (the database function takes an advisory lock); the others skip their turn. A turn folds at most 50,000
/// deltas of each table, so that the backlog of a bulk load is worked off in short transactions.
/// </summary>
public sealed partial class RollupFolder : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    // Every report scans the deltas: left to autovacuum (a minute apart at best), the rows folded away stay in the
    // table as dead tuples, and a report measured after a bulk load read 800,000 of them (0.5 s instead of 25 ms).
    private static readonly TimeSpan VacuumInterval = TimeSpan.FromSeconds(2);

    private readonly NpgsqlDataSource _database;
    private readonly ILogger<RollupFolder> _logger;
    private readonly Counter<long> _folded;
    private long _lastTurn = TimeProvider.System.GetTimestamp();

    /// <summary>
    /// Metrics for an SRE: the deltas folded, and the seconds since this replica's last turn that did not fail.
    /// Should the folder stop or keep failing, reports stay right but read ever more deltas and slow down: the
    /// age growing past a few seconds is the alert.
    /// </summary>
    public RollupFolder(NpgsqlDataSource database, ILogger<RollupFolder> logger, IMeterFactory meters)
    {
        (_database, _logger) = (database, logger);
        var meter = meters.Create("Pipeline.Reporting");
        _folded = meter.CreateCounter<long>("pipeline.reporting.rollup_deltas_folded", "{delta}", "Rollup deltas folded into the report rollups.");
        meter.CreateObservableGauge("pipeline.reporting.rollup_fold_age", () => TimeProvider.System.GetElapsedTime(Interlocked.Read(ref _lastTurn)).TotalSeconds,
            "s", "Time since the rollup folder's last turn that did not fail.");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        var folded = 0L;
        var lastVacuum = TimeProvider.System.GetTimestamp();
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var fold = _database.CreateCommand("SELECT fold_deal_rollup_deltas() + fold_stage_rollup_deltas()");
                var moved = (long)(await fold.ExecuteScalarAsync(stoppingToken))!;
                _folded.Add(moved);
                folded += moved;
                if (folded > 0 && TimeProvider.System.GetElapsedTime(lastVacuum) >= VacuumInterval)
                {
                    // No truncation: giving the emptied pages back needs an exclusive lock, which the projections'
                    // steady inserts kept it waiting for (up to 5 s a turn) and which, once held, stops them and the reports.
                    await using var vacuum = _database.CreateCommand("VACUUM (SKIP_LOCKED, TRUNCATE false) deal_rollup_deltas, stage_rollup_deltas");
                    await vacuum.ExecuteNonQueryAsync(stoppingToken);
                    (folded, lastVacuum) = (0, TimeProvider.System.GetTimestamp());
                }

                Interlocked.Exchange(ref _lastTurn, TimeProvider.System.GetTimestamp());
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
            {
                LogFoldFailed(_logger, exception); // the deltas stay, and are still read: the next turn retries
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Folding the report rollup deltas failed; retrying at the next turn")]
    private static partial void LogFoldFailed(ILogger logger, Exception exception);
}
