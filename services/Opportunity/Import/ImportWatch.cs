using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Pipeline.Opportunities.Infrastructure;

namespace Pipeline.Opportunities.Import;

/// <summary>
/// An import whose replica dies (killed, its node gone) would otherwise show "running" forever. Every
/// <see cref="ImportSettings.HeartbeatInterval"/> each replica stamps the jobs it holds, queued or running; then
/// it fails every running job, of any replica, not stamped for <see cref="ImportSettings.StalledAfter"/>. The
/// rows it counted as done were committed with those counts, so the admin knows what to import again.
/// </summary>
public sealed partial class ImportWatch(
    ImportQueue queue, IServiceScopeFactory scopes, TimeProvider clock, IOptions<ImportSettings> settings, ILogger<ImportWatch> logger)
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
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OpportunityDbContext>();
        await db.Database.OpenConnectionAsync(cancellationToken);
        var held = queue.HeldJobIds.ToArray();
        if (held.Length > 0)
        {
            await using var beat = Command(db, Beat, ("now", now), ("held", held));
            await beat.ExecuteNonQueryAsync(cancellationToken);
        }

        var failed = new List<Guid>();
        await using var fail = Command(db, FailStalled, ("failure", StalledFailure), ("now", now), ("stalledBefore", now - settings.Value.StalledAfter));
        await using var rows = await fail.ExecuteReaderAsync(cancellationToken);
        while (await rows.ReadAsync(cancellationToken))
        {
            failed.Add(rows.GetGuid(0));
            LogStalled(logger, rows.GetGuid(0), rows.GetGuid(1), rows.GetFieldValue<DateTimeOffset>(2));
        }

        return failed;
    }

    private static DbCommand Command(OpportunityDbContext db, string sql, params (string Name, object Value)[] parameters)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Import {JobId} of organisation {OrganizationId} failed: its replica was last heard of at {HeartbeatAt}")]
    private static partial void LogStalled(ILogger logger, Guid jobId, Guid organizationId, DateTimeOffset heartbeatAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Import watch failed; it runs again at the next heartbeat")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
