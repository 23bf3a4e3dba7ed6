using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Pipeline.Opportunity.Domain;

namespace Pipeline.Opportunity.Infrastructure;

/// <summary>
/// Expires the sent quotes of every organisation whose validity ended before today in the organisation's time zone
/// (a quote valid until the 4th lapses at the organisation's midnight after it; UTC until its settings are known), at start and then
/// every hour, and publishes <c>QuoteExpired</c> for each. Safe with any number of replicas: each batch claims
/// its quotes with <c>FOR UPDATE SKIP LOCKED</c> and flips them in one statement that re-checks they are still
/// sent, in the same transaction as their outbox rows, so a quote expires once and only if nobody answered it.
/// </summary>
public sealed partial class QuoteExpiry(IServiceScopeFactory scopes, TimeProvider clock, ILogger<QuoteExpiry> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    public const int BatchSize = 500;

    // Runs across organisations on purpose: it changes nothing but each row's own status, and every event it
    // writes carries the organisation of the row it describes, never one from ambient state.
    private const string ExpireBatch = """
        UPDATE quotes SET status = 'expired', version = version + 1
        WHERE id IN (
            SELECT q.id FROM quotes q
            LEFT JOIN organization_profiles p ON p.organization_id = q.organization_id
            WHERE q.status = 'sent' AND q.valid_until < (@now AT TIME ZONE coalesce(p.time_zone, 'UTC'))::date
            ORDER BY q.valid_until, q.id
            LIMIT @batch
            FOR UPDATE OF q SKIP LOCKED)
          AND status = 'sent'
        RETURNING id, organization_id, opportunity_id, number
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                await ExpireLapsedQuotesAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogFailed(logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One sweep over all organisations; returns the quotes this call expired.</summary>
    public async Task<IReadOnlyList<Guid>> ExpireLapsedQuotesAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var expired = new List<Guid>();
        int batch;
        do
        {
            batch = await ExpireBatchAsync(now, expired, cancellationToken);
        }
        while (batch == BatchSize);

        if (expired.Count > 0)
        {
            LogExpired(logger, expired.Count, now);
        }

        return expired;
    }

    private async Task<int> ExpireBatchAsync(DateTimeOffset now, List<Guid> expired, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OpportunityDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction.GetDbTransaction();
        command.CommandText = ExpireBatch;
        AddParameter(command, "now", now);
        AddParameter(command, "batch", BatchSize);

        var count = 0;
        await using (var rows = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await rows.ReadAsync(cancellationToken))
            {
                var quoteId = rows.GetGuid(0);
                db.Publish(QuoteEvents.Expired(organizationId: rows.GetGuid(1), opportunityId: rows.GetGuid(2), quoteId, rows.GetString(3), now));
                expired.Add(quoteId);
                count++;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return count;
    }

    private static void AddParameter(System.Data.Common.DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Expired {Count} sent quotes whose validity ended before {Now} in their organisation's time zone")]
    private static partial void LogExpired(ILogger logger, int count, DateTimeOffset now);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Quote expiry sweep failed; it runs again within the hour")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
