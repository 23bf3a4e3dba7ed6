using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Pipeline.Opportunity.Infrastructure;

namespace Pipeline.Opportunity.Domain;

/// <summary>
/// Expires the sent quotes of every organisation whose validity ended before today (UTC), at start and then
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
            SELECT id FROM quotes
            WHERE status = 'sent' AND valid_until < @today
            ORDER BY valid_until, id
            LIMIT @batch
            FOR UPDATE SKIP LOCKED)
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
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var expired = new List<Guid>();
        int batch;
        do
        {
            batch = await ExpireBatchAsync(today, now, expired, cancellationToken);
        }
        while (batch == BatchSize);

        if (expired.Count > 0)
        {
            LogExpired(logger, expired.Count, today);
        }

        return expired;
    }

    private async Task<int> ExpireBatchAsync(DateOnly today, DateTimeOffset now, List<Guid> expired, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OpportunityDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction.GetDbTransaction();
        command.CommandText = ExpireBatch;
        AddParameter(command, "today", today);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Expired {Count} sent quotes valid until before {Today}")]
    private static partial void LogExpired(ILogger logger, int count, DateOnly today);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Quote expiry sweep failed; it runs again within the hour")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
