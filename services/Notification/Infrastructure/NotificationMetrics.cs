using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Pipeline.Notification;

/// <summary>
/// What an SRE watches (meter and activity source <c>Pipeline.Notification</c>): inbox items made, open streams and
/// how late their events arrive, e-mails and webhook deliveries by outcome and latency.
/// </summary>
public sealed class NotificationMetrics : IDisposable
{
    public const string Name = "Pipeline.Notification";

    public static readonly ActivitySource Tracing = new(Name);

    private readonly Meter _meter = new(Name);
    private readonly Counter<long> _inboxItems;
    private readonly UpDownCounter<long> _openStreams;
    private readonly Histogram<double> _streamLatency;
    private readonly Counter<long> _emails;
    private readonly Histogram<double> _emailLatency;
    private readonly Counter<long> _webhookAttempts;
    private readonly Histogram<double> _webhookLatency;

    public NotificationMetrics()
    {
        _inboxItems = _meter.CreateCounter<long>("pipeline.notification.inbox_items", description: "Inbox items created");
        _openStreams = _meter.CreateUpDownCounter<long>("pipeline.notification.open_streams", description: "Live streams open on this replica");
        _streamLatency = _meter.CreateHistogram<double>("pipeline.notification.stream_latency", "s",
            "From an event's commit to its write on an open stream");
        _emails = _meter.CreateCounter<long>("pipeline.notification.emails", description: "E-mail send attempts by outcome (sent, retry, failed)");
        _emailLatency = _meter.CreateHistogram<double>("pipeline.notification.email_latency", "s", "From an e-mail's creation to its acceptance by the SMTP server");
        _webhookAttempts = _meter.CreateCounter<long>("pipeline.notification.webhook_deliveries",
            description: "Webhook delivery attempts by outcome (succeeded, retry, failed, refused)");
        _webhookLatency = _meter.CreateHistogram<double>("pipeline.notification.webhook_latency", "s", "Duration of one webhook delivery attempt");
    }

    public void InboxItemsCreated(int count)
    {
        if (count > 0)
        {
            _inboxItems.Add(count);
        }
    }

    public void StreamOpened() => _openStreams.Add(1);

    public void StreamClosed() => _openStreams.Add(-1);

    public void StreamEventSent(string type, TimeSpan latency) =>
        _streamLatency.Record(Math.Max(0, latency.TotalSeconds), new KeyValuePair<string, object?>("type", type));

    public void EmailAttempt(string outcome, TimeSpan? sinceCreated = null)
    {
        _emails.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        if (sinceCreated is { } latency)
        {
            _emailLatency.Record(latency.TotalSeconds);
        }
    }

    public void WebhookAttempt(string outcome, TimeSpan duration)
    {
        var tag = new KeyValuePair<string, object?>("outcome", outcome);
        _webhookAttempts.Add(1, tag);
        _webhookLatency.Record(duration.TotalSeconds, tag);
    }

    public void Dispose() => _meter.Dispose();
}
