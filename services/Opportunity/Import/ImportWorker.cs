namespace Pipeline.Opportunity.Import;

/// <summary>Runs the imports accepted by this replica, one at a time, so that a large import does not starve the API of the two cores.</summary>
public sealed class ImportWorker(ImportQueue queue, ImportRunner runner) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var work in queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await runner.RunAsync(work, stoppingToken);
                }
                finally
                {
                    queue.Release(work);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Imports accepted but not started would otherwise show "running" forever.
            while (queue.Reader.TryRead(out var waiting))
            {
                await runner.AbandonAsync(waiting);
                queue.Release(waiting);
            }
        }
    }
}
