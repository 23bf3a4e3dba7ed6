using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Pipeline.Messaging.Outbox;
using Pipeline.Messaging.Tenancy;
using Pipeline.Opportunity.Domain;
using Pipeline.Opportunity.Infrastructure;

namespace Pipeline.Opportunity.Import;

// The sales domain's Opportunity: from inside namespace Pipeline.Opportunity, C# would find the namespace first.
using Opportunity = Pipeline.Opportunity.Domain.Opportunity;

/// <summary>
/// Carries out one import: checks each row on its own, then writes the good ones of each batch through the
/// <see cref="OpportunityWriter"/> (history and events included; copied to the tables by <see cref="BatchCopy"/>)
/// together with the job's progress, in one transaction per batch on a fresh DbContext. A bad row costs only
/// itself; a crash loses at most the batch in flight, and the job's counts always match what was committed.
/// </summary>
public sealed partial class ImportRunner(
    IServiceScopeFactory scopes, TimeProvider clock, OutboxSignal outbox, IOptions<ImportSettings> settings, ILogger<ImportRunner> logger)
{
    public async Task RunAsync(ImportWork work, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        LogStarted(logger, work.JobId, work.OrganizationId);
        try
        {
            var references = await LoadReferencesAsync(work, cancellationToken);
            var total = await CountRowsAsync(work, cancellationToken);
            await UpdateJobAsync(work, job => job.RowsTotal = total, cancellationToken);

            await using var file = ImportFile.Open(work.FilePath, work.Options.Delimiter);
            var mappingErrors = new Dictionary<string, string[]>();
            var mapping = ImportMapping.Compile(work.Options, await file.ReadHeaderAsync(cancellationToken), mappingErrors)
                ?? throw new InvalidDataException(string.Join(" ", mappingErrors.Values.SelectMany(m => m)));

            var batch = new Batch(settings.Value.BatchSize);
            var rowErrors = new List<string>();
            while (await file.ReadAsync(cancellationToken) is { } record)
            {
                batch.Errors.AddRange(file.TakeMalformed());
                rowErrors.Clear();
                if (ImportRow.Read(record, mapping, references, work.Options.DateFormat, rowErrors) is { } deal)
                {
                    batch.Deals.Add(deal);
                }
                else
                {
                    batch.Errors.Add(new RowError(record.Line, string.Join(" ", rowErrors)));
                }

                if (batch.Rows >= settings.Value.BatchSize)
                {
                    await CommitAsync(work, batch, cancellationToken);
                }
            }

            batch.Errors.AddRange(file.TakeMalformed());
            await CommitAsync(work, batch, cancellationToken, last: true);
            LogCompleted(logger, work.JobId, total, watch.Elapsed.TotalSeconds);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await FailAsync(work, "The service stopped during the import. The rows counted as done are imported; import the others again.");
        }
        catch (Exception exception)
        {
            // Whatever stops one import (an unreadable file, the database gone) must not stop the worker.
            LogFailed(logger, exception, work.JobId);
            await FailAsync(work, $"The import stopped: {exception.Message} The rows counted as done are imported.");
        }
        finally
        {
            File.Delete(work.FilePath);
        }
    }

    /// <summary>Marks a job that will not run (the service is stopping) as failed, so that nobody waits for it.</summary>
    public async Task AbandonAsync(ImportWork work)
    {
        await FailAsync(work, "The service stopped before the import started: import the file again.");
        File.Delete(work.FilePath);
    }

    private sealed class Batch(int size)
    {
        public List<ImportedDeal> Deals { get; } = new(size);

        public List<RowError> Errors { get; } = [];

        public int Rows => Deals.Count + Errors.Count;
    }

    private async Task CommitAsync(ImportWork work, Batch batch, CancellationToken cancellationToken, bool last = false)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = Scoped(scope, work);
        // The deals are copied, not saved: change detection would scan thousands of entities for nothing.
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var writer = scope.ServiceProvider.GetRequiredService<OpportunityWriter>();
        var journeys = new HistoryReplay(db, writer, work.ImporterId, clock.GetUtcNow());
        var quoteNumbers = new Queue<string>(await QuoteNumbers.TakeAsync(db, work.OrganizationId, HistoryReplay.QuotesIn(batch.Deals), cancellationToken));
        foreach (var deal in batch.Deals)
        {
            var opportunity = writer.Create(deal.Input, deal.Pipeline, deal.Stage, deal.OwnerId, deal.TeamId, work.ImporterId, deal.CreatedAt, imported: true);
            journeys.Apply(opportunity, deal, quoteNumbers);
            if (deal.Status == OpportunityStatus.Won)
            {
                writer.Win(opportunity, work.ImporterId, deal.ClosedAt);
            }
            else if (deal.Status == OpportunityStatus.Lost)
            {
                writer.Lose(opportunity, deal.LostReason!, work.ImporterId, deal.ClosedAt);
            }
        }

        await BatchCopy.CopyAddedAsync<Opportunity>(db, cancellationToken);
        await BatchCopy.CopyAddedAsync<HistoryEntry>(db, cancellationToken);
        await BatchCopy.CopyAddedAsync<Quote>(db, cancellationToken);
        await BatchCopy.CopyAddedAsync<SalesActivity>(db, cancellationToken);
        await BatchCopy.CopyAddedAsync<OutboxMessage>(db, cancellationToken);

        var job = await db.ImportJobs.SingleAsync(j => j.Id == work.JobId, cancellationToken);
        if (job.Status != ImportStatus.Running)
        {
            // Failed by ImportWatch while this replica could not say it was alive: this batch is not committed.
            throw new InvalidOperationException("It was marked failed after too long without news from this replica.");
        }

        job.RowsDone += batch.Deals.Count;
        job.RowsFailed += batch.Errors.Count;
        foreach (var error in batch.Errors.Take(ImportJob.MaxErrorsKept - job.Errors.Count))
        {
            job.Errors.Add(new ImportError { Line = error.Line, Message = error.Message });
        }

        if (last)
        {
            job.RowsTotal = Math.Max(job.RowsTotal, job.RowsDone + job.RowsFailed);
            job.Status = ImportStatus.Completed;
            job.CompletedAt = clock.GetUtcNow();
        }

        db.ChangeTracker.DetectChanges();
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (batch.Deals.Count > 0)
        {
            outbox.Notify();
        }

        batch.Deals.Clear();
        batch.Errors.Clear();
    }

    private async Task<ImportReferences> LoadReferencesAsync(ImportWork work, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = Scoped(scope, work);
        var catalog = scope.ServiceProvider.GetRequiredService<PipelineCatalog>();
        return await ImportReferences.LoadAsync(db, catalog, work.ImporterId, clock.GetUtcNow(), cancellationToken);
    }

    /// <summary>A first quick pass, so that progress can be shown against a total.</summary>
    private static async Task<int> CountRowsAsync(ImportWork work, CancellationToken cancellationToken)
    {
        await using var file = ImportFile.Open(work.FilePath, work.Options.Delimiter);
        return await file.CountAsync(cancellationToken);
    }

    private async Task UpdateJobAsync(ImportWork work, Action<ImportJob> change, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = Scoped(scope, work);
        var job = await db.ImportJobs.SingleAsync(j => j.Id == work.JobId, cancellationToken);
        change(job);
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task FailAsync(ImportWork work, string failure)
    {
        try
        {
            await UpdateJobAsync(work, job =>
            {
                job.Status = ImportStatus.Failed;
                job.Failure = failure;
                job.CompletedAt = clock.GetUtcNow();
            }, CancellationToken.None);
        }
        catch (Exception exception)
        {
            LogNotRecorded(logger, exception, work.JobId, failure);
        }
    }

    private static OpportunityDbContext Scoped(AsyncServiceScope scope, ImportWork work)
    {
        scope.ServiceProvider.GetRequiredService<TenantScope>().Use(work.OrganizationId);
        return scope.ServiceProvider.GetRequiredService<OpportunityDbContext>();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Import {JobId} of organisation {OrganizationId} started")]
    private static partial void LogStarted(ILogger logger, Guid jobId, Guid organizationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Import {JobId} completed: {Rows} rows in {Seconds:0.0} s")]
    private static partial void LogCompleted(ILogger logger, Guid jobId, int rows, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Import {JobId} failed, and so did recording it: {Failure}")]
    private static partial void LogNotRecorded(ILogger logger, Exception exception, Guid jobId, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Import {JobId} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, Guid jobId);
}
