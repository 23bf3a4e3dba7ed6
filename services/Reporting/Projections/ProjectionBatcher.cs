using System.Threading.Channels;
using Pipeline.Messaging.Inbox;
using Pipeline.Reporting.Consumers;
using Pipeline.Reporting.Infrastructure;

namespace Pipeline.Reporting.Projections;

/// <summary>
/// Applies the deal events a replica has in hand together: one transaction per organisation for all of them,
/// instead of one per event. Most of a projection's cost is per statement, not per deal (the round trips, the
/// commit, and above all the database's statement-level triggers that derive the stage paths and the rollups),
/// so under load the events that arrive while a batch is being applied make the next batch, and a replica keeps
/// up with several times the events it could apply one by one; when events are few, each goes alone at once.
/// <para>
/// A consumer hands its event over and waits for the batch to commit, so the broker's acknowledgement still
/// follows the commit and nothing is lost when a replica dies mid-batch. Should a batch fail, every consumer in
/// it is told so and applies its event alone: the culprit then fails alone, and is retried and dead-lettered like
/// any other failing message, while the rest go through.
/// </para>
/// </summary>
public sealed partial class ProjectionBatcher(IServiceScopeFactory scopes, ProjectionMetrics metrics, ILogger<ProjectionBatcher> logger) : BackgroundService
{
    // Two batches in flight: while one waits for the database, the next is prepared, and both cores are used.
    private const int Workers = 2;

    /// <summary>
    /// A batch never waits to fill up: it takes what is there, up to this, which keeps its transaction short. A
    /// replica has at most its queue's prefetch of events in hand, set to this.
    /// </summary>
    public const int MaxBatch = 128;

    private readonly Channel<Handover> _handovers = Channel.CreateUnbounded<Handover>();

    /// <summary>
    /// Applies the event (exactly once: the inbox), with whatever other events are waiting. False when its batch
    /// failed or the service is stopping: the caller then applies the event alone.
    /// </summary>
    public async Task<bool> ApplyAsync(IncomingDealEvent incoming, CancellationToken cancellationToken)
    {
        var handover = new Handover(incoming);
        return _handovers.Writer.TryWrite(handover) && await handover.Applied.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => WorkAsync(stoppingToken)));
        }
        finally
        {
            _handovers.Writer.TryComplete();
            while (_handovers.Reader.TryRead(out var left))
            {
                left.Applied.TrySetResult(false);
            }
        }
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Handover>(MaxBatch);
        while (await _handovers.Reader.WaitToReadAsync(stoppingToken))
        {
            while (batch.Count < MaxBatch && _handovers.Reader.TryRead(out var handover))
            {
                batch.Add(handover);
            }

            foreach (var organization in batch.GroupBy(h => h.Event.Message.OrganizationId))
            {
                var applied = await TryApplyAsync(organization.Key, organization.ToList(), stoppingToken);
                foreach (var handover in organization)
                {
                    handover.Applied.TrySetResult(applied);
                }
            }

            batch.Clear();
        }
    }

    private async Task<bool> TryApplyAsync(Guid organizationId, IReadOnlyList<Handover> batch, CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ReportingDbContext>();
            var projection = scope.ServiceProvider.GetRequiredService<DealProjection>();
            await Inbox.HandleEachOnceAsync(db, nameof(DealEventsConsumer), organizationId, batch.Select(h => h.Event.Message).ToList(), logger,
                firstDeliveries => projection.ApplyAsync(organizationId,
                    batch.Select(h => h.Event).Where(e => firstDeliveries.Contains(e.Message.EventId)).ToList(), stoppingToken),
                stoppingToken);
            metrics.RecordBatch(batch.Count);
            return true;
        }
        catch (Exception exception)
        {
            if (!stoppingToken.IsCancellationRequested)
            {
                LogBatchFailed(logger, exception, batch.Count, organizationId);
            }

            return false;
        }
    }

    private sealed record Handover(IncomingDealEvent Event)
    {
        public TaskCompletionSource<bool> Applied { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} deal events of organisation {OrganizationId} failed; each is applied alone")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count, Guid organizationId);
}
