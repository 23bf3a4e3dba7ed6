using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Pipeline.Automation.Infrastructure;

/// <summary>
/// What an SRE watches of the automation service: runs by outcome, the scheduler's backlog and lateness (due →
/// fired), and how long evaluating an event's rules takes. Spans link an event's evaluation, the run it made and
/// the firing that published the actions' commands (see <see cref="StartFiring"/>).
/// </summary>
public sealed class AutomationTelemetry : IDisposable
{
    public const string Name = "Pipeline.Automation";

    public static readonly ActivitySource Source = new(Name);

    private readonly Meter _meter = new(Name);
    private readonly Counter<long> _runs;
    private readonly Histogram<double> _lateness;
    private readonly Histogram<double> _evaluation;
    private long _backlog;

    public AutomationTelemetry()
    {
        _runs = _meter.CreateCounter<long>("pipeline.automation.runs", description: "Rule runs recorded, by status (scheduled, fired, skipped, failed)");
        _lateness = _meter.CreateHistogram<double>("pipeline.automation.lateness", "s", "From a delayed action's due time to its firing");
        _evaluation = _meter.CreateHistogram<double>("pipeline.automation.evaluation_time", "ms", "Evaluating the rules for a batch of deal events, per event");
        _meter.CreateObservableGauge("pipeline.automation.scheduler_backlog", () => Interlocked.Read(ref _backlog),
            description: "Delayed actions due and not fired yet, at the scheduler's last pass");
    }

    public void RunRecorded(string status) => _runs.Add(1, new KeyValuePair<string, object?>("status", status));

    public void Fired(TimeSpan lateness) => _lateness.Record(Math.Max(0, lateness.TotalSeconds));

    public void Evaluated(TimeSpan elapsed, int events) => _evaluation.Record(elapsed.TotalMilliseconds / Math.Max(1, events));

    public void Backlog(long due) => Interlocked.Exchange(ref _backlog, due);

    /// <summary>A span for firing a run, linked to the evaluation that scheduled it (possibly days ago, in another trace).</summary>
    public static Activity? StartFiring(string? scheduledBy) =>
        Source.StartActivity("automation fire", ActivityKind.Internal, parentContext: default,
            links: ActivityContext.TryParse(scheduledBy, null, out var context) ? [new ActivityLink(context)] : null);

    public void Dispose() => _meter.Dispose();
}
