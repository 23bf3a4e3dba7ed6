using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Pipeline.Messaging.Outbox;

/// <summary>
/// What an SRE watches: how many events wait in the outbox, how old the oldest is, how fast they leave.
/// A growing backlog or age means the broker is unreachable or the dispatcher is stuck.
/// </summary>
public sealed class OutboxMetrics : IDisposable
{
    public const string Name = "Pipeline.Messaging";

    internal static readonly ActivitySource ActivitySource = new(Name);

    private readonly Meter _meter;
    private readonly Counter<long> _published;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _setAside;
    private readonly Histogram<double> _latency;
    private long _backlog;
    private double _oldestAgeSeconds;

    public OutboxMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        _published = _meter.CreateCounter<long>("pipeline.outbox.published", "{message}", "Events published and confirmed by the broker.");
        _failed = _meter.CreateCounter<long>("pipeline.outbox.publish_failures", "{message}", "Publish attempts that failed and will be retried.");
        _setAside = _meter.CreateCounter<long>("pipeline.outbox.set_aside", "{message}", "Events that could not be published (unknown type, unreadable) and were moved to outbox_set_aside.");
        _latency = _meter.CreateHistogram<double>("pipeline.outbox.dispatch_latency", "s", "Time from the commit of an event to the broker's confirm.");
        _meter.CreateObservableGauge("pipeline.outbox.backlog", () => Volatile.Read(ref _backlog), "{message}", "Events waiting in the outbox.");
        _meter.CreateObservableGauge("pipeline.outbox.oldest_age", () => Volatile.Read(ref _oldestAgeSeconds), "s", "Age of the oldest event waiting in the outbox.");
    }

    public long Backlog => Volatile.Read(ref _backlog);

    public double OldestAgeSeconds => Volatile.Read(ref _oldestAgeSeconds);

    internal void RecordPublished(int count) => _published.Add(count);

    internal void RecordFailed(int count) => _failed.Add(count);

    internal void RecordSetAside(int count) => _setAside.Add(count);

    internal void RecordLatency(TimeSpan latency) => _latency.Record(Math.Max(0, latency.TotalSeconds));

    internal void RecordBacklog(long count, TimeSpan oldestAge)
    {
        Volatile.Write(ref _backlog, count);
        Volatile.Write(ref _oldestAgeSeconds, count == 0 ? 0 : oldestAge.TotalSeconds);
    }

    public void Dispose() => _meter.Dispose();
}
