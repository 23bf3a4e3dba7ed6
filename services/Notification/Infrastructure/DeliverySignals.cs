namespace Pipeline.Notification.Infrastructure;

/// <summary>
/// Wakes this replica's e-mail sender or webhook dispatcher as soon as a unit of work committed something for them
/// (or, for the dispatcher, an attempt ended), instead of waiting for their next poll (which is what other
/// replicas' work waits for). Wake-ups coalesce: one serves every reason before it.
/// </summary>
public sealed class DeliverySignals
{
    public Signal Email { get; } = new();

    public Signal Webhooks { get; } = new();

    public sealed class Signal
    {
        private readonly SemaphoreSlim _semaphore = new(0, 1);

        public void Set()
        {
            try
            {
                _semaphore.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already set: one wake-up serves every commit before it.
            }
        }

        /// <summary>Returns when set, or after <paramref name="timeout"/>.</summary>
        public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => await _semaphore.WaitAsync(timeout, cancellationToken);
    }
}
