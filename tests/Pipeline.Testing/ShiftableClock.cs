namespace Pipeline.Testing;

/// <summary>
/// The real clock, moved by the test when it needs a chosen instant (a midnight in New York, a day later): every
/// timer still runs on real time, so the services under test behave as usual between two settings.
/// </summary>
public sealed class ShiftableClock : TimeProvider
{
    private TimeSpan _offset;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _offset;

    /// <summary>From now on the clock reads <paramref name="instant"/> (and advances from there).</summary>
    public void Set(DateTimeOffset instant) => _offset = instant - base.GetUtcNow();

    public void Reset() => _offset = TimeSpan.Zero;
}
