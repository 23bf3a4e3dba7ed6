using Microsoft.Extensions.Options;
using Npgsql;

namespace Pipeline.Opportunity.Import;

/// <summary>
/// An import whose replica dies (killed, its node gone) would otherwise show "running" forever. Every
/// <see cref="ImportSettings.HeartbeatInterval"/> each replica stamps the jobs it holds, queued or running; then
/// it fails every running job, of any replica, not stamped for <see cref="ImportSettings.StalledAfter"/>. The
/// rows it counted as done were committed with those counts, so the admin knows what to import again.
/// </summary>
public sealed partial class ImportWatch(
    ImportQueue queue, NpgsqlDataSource database, TimeProvider clock, IOptions<ImportSettings> settings, ILogger<ImportWatch> logger)
    : BackgroundService
{
    public const string StalledFailure =
        "The service running this import stopped without finishing it. The rows counted as done are imported; import the others again.";

    // Across organisations on purpose: each statement changes only the bookkeeping of the rows it names or finds.
    private const string Beat = "UPDATE import_jobs SET heartbeat_at = @now WHERE id = ANY(@held) AND status = 'running'";

    private const string FailStalled = """
        UPDATE import_jobs SET status = 'failed', failure = @failure, completed_at = @now
        WHERE status = 'running' AND heartbeat_at < @stalledBefore
        RETURNING id, organization_id, heartbeat_at
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.Value.HeartbeatInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogFailed(logger, exception);
            }
        }
    }

    /// <summary>Stamps this replica's jobs, then fails the stalled ones; returns the ids of the jobs it failed.</summary>
    public async Task<IReadOnlyList<Guid>> SweepAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var held = queue.HeldJobIds.ToArray();
        if (held.Length > 0)
        {
            await using var beat = database.CreateCommand(Beat);
            beat.Parameters.AddWithValue("now", now);
            beat.Parameters.AddWithValue("held", held);
            await beat.ExecuteNonQueryAsync(cancellationToken);
        }

        var failed = new List<Guid>();
        await using var fail = database.CreateCommand(FailStalled);
        fail.Parameters.AddWithValue("failure", StalledFailure);
        fail.Parameters.AddWithValue("now", now);
        fail.Parameters.AddWithValue("stalledBefore", now - settings.Value.StalledAfter);
        await using var rows = await fail.ExecuteReaderAsync(cancellationToken);
        while (await rows.ReadAsync(cancellationToken))
        {
            failed.Add(rows.GetGuid(0));
            LogStalled(logger, rows.GetGuid(0), rows.GetGuid(1), rows.GetFieldValue<DateTimeOffset>(2));
        }

        return failed;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Import {JobId} of organisation {OrganizationId} failed: its replica was last heard of at {HeartbeatAt}")]
    private static partial void LogStalled(ILogger logger, Guid jobId, Guid organizationId, DateTimeOffset heartbeatAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Import watch failed; it runs again at the next heartbeat")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
