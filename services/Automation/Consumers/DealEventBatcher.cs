using System.Threading.Channels;
using Pipeline.Automation.Domain;
using Pipeline.Automation.Infrastructure;
using Pipeline.Contracts;
using Pipeline.Messaging.Inbox;

namespace Pipeline.Automation.Consumers;

/// <summary>
/// Applies the deal events a replica has in hand together: one transaction per organisation for all of them,
/// instead of one per event. An event's cost is mostly per statement and per commit (the inbox, locking and saving
/// its deal, the rules' check), so under load (an import replaying thousands of deals' journeys, a busy sales
/// floor) the events that arrive while a batch is applied make the next one; when events are few each goes alone
/// at once, never waiting for a batch to fill.
/// <para>
/// A consumer hands its event over and waits for its batch to commit, so the broker's acknowledgement still follows
/// the commit: nothing is lost when a replica dies mid-batch. Should a batch fail, each of its consumers applies its
/// event alone, so that a failing event fails by itself (retried, then parked in the error queue) and the rest go through.
/// </para>
/// </summary>
public sealed partial class DealEventBatcher(IServiceScopeFactory scopes, ILogger<DealEventBatcher> logger) : BackgroundService
{
    /// <summary>The most events a batch takes; the queue's prefetch is set to it, so a replica has that many in hand.</summary>
    public const int MaxBatch = 128;

    // Two batches in flight: while one waits for the database, the next is evaluated.
    private const int Workers = 2;

    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(3);

    private readonly Channel<Handover> _handovers = Channel.CreateUnbounded<Handover>();

    /// <summary>
    /// Applies the event, exactly once (inbox), with whatever others are waiting. False when its batch failed or the
    /// service is stopping: the caller then applies it alone.
    /// </summary>
    public async Task<bool> ApplyAsync(IntegrationMessage message, CancellationToken cancellationToken)
    {
        var handover = new Handover(message);
        return _handovers.Writer.TryWrite(handover) && await handover.Applied.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => WorkAsync(stoppingToken)));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
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
            Take(batch);
            if (batch.Count < MaxBatch / 2)
            {
                // The broker hands events over one by one: a moment more makes a batch several times larger under
                // load, for a few milliseconds' wait.
                await Task.Delay(Linger, stoppingToken);
                Take(batch);
            }

            foreach (var organization in batch.GroupBy(h => h.Message.OrganizationId))
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

    private void Take(List<Handover> batch)
    {
        while (batch.Count < MaxBatch && _handovers.Reader.TryRead(out var handover))
        {
            batch.Add(handover);
        }
    }

    private async Task<bool> TryApplyAsync(Guid organizationId, IReadOnlyList<Handover> batch, CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AutomationDbContext>();
            var evaluator = scope.ServiceProvider.GetRequiredService<DealEventEvaluator>();
            await Inbox.HandleEachOnceAsync(db, nameof(DealEventsConsumer), organizationId, batch.Select(h => h.Message).ToList(), logger,
                firstDeliveries => evaluator.ApplyAsync(organizationId, batch.Select(h => h.Message).Where(m => firstDeliveries.Contains(m.EventId)).ToList(), stoppingToken),
                stoppingToken);
            return true;
        }
        catch (Exception exception)
        {
            if (!stoppingToken.IsCancellationRequested && batch.Count > 1)
            {
                LogBatchFailed(logger, exception, batch.Count, organizationId);
            }

            return false;
        }
    }

    private sealed record Handover(IntegrationMessage Message)
    {
        public TaskCompletionSource<bool> Applied { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} deal events of organisation {OrganizationId} failed; each is applied alone")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count, Guid organizationId);
}
