namespace Pipeline.Automation.Tests;

/// <summary>
/// The service's clock in these tests: the real time, moved forward on demand (days later, to see a deal go stale),
/// so that everything else (the broker, the database, short delays) keeps running in real time.
/// </summary>
public sealed class TestClock : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public void Reset() => Interlocked.Exchange(ref _offsetTicks, 0);
}
