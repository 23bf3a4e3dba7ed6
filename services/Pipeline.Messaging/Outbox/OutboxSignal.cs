namespace Pipeline.Messaging.Outbox;

/// <summary>
/// Wakes the dispatcher as soon as a transaction carrying events commits, so an event reaches the broker in
/// milliseconds instead of at the next poll. Polling still runs, for rows written by other replicas or left
/// behind by a crash.
/// </summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another thread woke the dispatcher first; one wake-up is enough.
            }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _signal.WaitAsync(timeout, cancellationToken);
}
