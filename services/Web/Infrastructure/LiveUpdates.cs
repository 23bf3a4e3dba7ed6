using System.Text.Json;
using Pipeline.Web.ApiClients.Notification;

namespace Pipeline.Web.Infrastructure;

/// <summary>A change to a deal the user may read, as the notification stream announces it (SPEC §5).</summary>
public sealed record OpportunityChange(Guid OpportunityId, Guid? PipelineId, Guid? StageId, string? Status, long Version, string? Change);

/// <summary>A change to the user's inbox: a notification that arrived (the stream's item), or, with none, items marked read in this tab.</summary>
public sealed record InboxChange(NotificationView? Arrived);

/// <summary>
/// The notification service's live stream (<c>GET /api/notifications/stream</c>, server-sent events) for one circuit:
/// read on the server with the user's token, its <c>opportunity</c> events raised to the open views and its
/// <c>notification</c> events to the bell and the inbox. It reconnects with <c>Last-Event-ID</c> after a cut, so a view
/// misses nothing the stream kept, and backs off while the stream is unavailable.
/// </summary>
public sealed partial class LiveUpdates(PipelineApi api, ILogger<LiveUpdates> logger) : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly CancellationTokenSource _stop = new();
    private Task? _reading;
    private string? _lastEventId;

    // While the browser is away (its circuit's connection down), the stream is not read: Blazor keeps a disconnected
    // circuit for minutes in case the browser comes back, and a closed tab's board would go on reloading at every change.
    private readonly Lock _presence = new();
    private TaskCompletionSource _browserHere = Here();
    private CancellationTokenSource? _request;

    private static TaskCompletionSource Here()
    {
        var here = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        here.SetResult();
        return here;
    }

    private readonly List<Subscriber<OpportunityChange>> _dealSubscribers = [];
    private readonly List<Subscriber<InboxChange>> _inboxSubscribers = [];

    /// <summary>True while the stream is connected: views show it, tests wait for it.</summary>
    public bool Connected { get; private set; }

    public event Action? ConnectionChanged;

    /// <summary>Starts reading once per circuit; later calls do nothing.</summary>
    public void Start() => _reading ??= Task.Run(() => ReadAsync(_stop.Token));

    /// <summary>The browser lost its connection (a closed tab, a network cut): the stream is left until it is back.</summary>
    public void BrowserLeft()
    {
        lock (_presence)
        {
            if (_browserHere.Task.IsCompleted)
            {
                _browserHere = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            try
            {
                _request?.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Between two connections: the next one sees the browser away before it starts.
            }
        }
    }

    /// <summary>The browser is connected again: the stream is read on from the last event seen (Last-Event-ID), missing nothing it kept.</summary>
    public void BrowserBack()
    {
        lock (_presence)
        {
            _browserHere.TrySetResult();
        }
    }

    /// <summary>
    /// Hands the stream's deal changes to a view: <paramref name="apply"/> gets the changes that arrived since its last call,
    /// one call at a time, so a burst of changes while a view reloads gives one more reload, not one per change. It runs
    /// off the stream's reader, which never waits for a view; a view marshals to its component itself (InvokeAsync).
    /// Dispose the answer with the view.
    /// </summary>
    public IDisposable OnOpportunityChanges(Func<IReadOnlyList<OpportunityChange>, Task> apply) => Subscribe(_dealSubscribers, apply);

    /// <summary>
    /// Hands the inbox's changes to a view (the bell, the inbox page), batched as <see cref="OnOpportunityChanges"/> does:
    /// the notifications the stream brings, and the marks read of this circuit (<see cref="MarkedRead"/>), so that the
    /// bell's count follows what the inbox page does without asking the API on every page.
    /// </summary>
    public IDisposable OnInboxChanges(Func<IReadOnlyList<InboxChange>, Task> apply) => Subscribe(_inboxSubscribers, apply);

    /// <summary>Tells this circuit's other views that notifications were marked read here.</summary>
    public void MarkedRead() => Publish(_inboxSubscribers, new InboxChange(null));

    private Subscriber<T> Subscribe<T>(List<Subscriber<T>> subscribers, Func<IReadOnlyList<T>, Task> apply)
    {
        var subscriber = new Subscriber<T>(subscribers, apply, logger);
        lock (subscribers)
        {
            subscribers.Add(subscriber);
        }

        return subscriber;
    }

    private static void Publish<T>(List<Subscriber<T>> subscribers, T change)
    {
        Subscriber<T>[] current;
        lock (subscribers)
        {
            current = [.. subscribers];
        }

        foreach (var subscriber in current)
        {
            subscriber.Add(change);
        }
    }

    private async Task ReadAsync(CancellationToken stop)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stop.IsCancellationRequested)
        {
            Task browserHere;
            lock (_presence)
            {
                browserHere = _browserHere.Task;
            }

            await browserHere.WaitAsync(stop).ContinueWith(_ => { }, TaskScheduler.Default);
            using var connection = CancellationTokenSource.CreateLinkedTokenSource(stop);
            lock (_presence)
            {
                _request = connection;
                if (!_browserHere.Task.IsCompleted)
                {
                    continue;
                }
            }

            var away = connection.Token;
            try
            {
                using var client = await api.AuthorizedAsync(PipelineApi.GatewayStream, away);
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/notifications/stream");
                request.Headers.Accept.ParseAdd("text/event-stream");
                if (_lastEventId is not null)
                {
                    request.Headers.Add("Last-Event-ID", _lastEventId);
                }

                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, away);
                if (response.IsSuccessStatusCode)
                {
                    SetConnected(true);
                    delay = TimeSpan.FromSeconds(1);
                    await ReadEventsAsync(await response.Content.ReadAsStreamAsync(away), away);
                }
                else
                {
                    LogUnavailable(logger, (int)response.StatusCode);
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException or SessionExpiredException
                                                  || (exception is OperationCanceledException && !stop.IsCancellationRequested))
            {
                LogCut(logger, exception.Message);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            SetConnected(false);
            if (away.IsCancellationRequested)
            {
                // The browser left: no back-off, the loop waits for it to come back.
                continue;
            }

            await Task.Delay(delay, stop).ContinueWith(_ => { }, TaskScheduler.Default);
            delay = TimeSpan.FromSeconds(Math.Min(30, delay.TotalSeconds * 2));
        }
    }

    private async Task ReadEventsAsync(Stream stream, CancellationToken stop)
    {
        using var reader = new StreamReader(stream);
        string? eventName = null, id = null;
        var data = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync(stop) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0)
                {
                    Dispatch(eventName ?? "message", data.ToString());
                }

                _lastEventId = id ?? _lastEventId;
                (eventName, id) = (null, null);
                data.Clear();
            }
            else if (line.StartsWith(':'))
            {
                // A keep-alive comment.
            }
            else
            {
                var colon = line.IndexOf(':');
                var field = colon < 0 ? line : line[..colon];
                var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
                switch (field)
                {
                    case "event": eventName = value; break;
                    case "id": id = value; break;
                    case "data": data.Append(data.Length > 0 ? "\n" : "").Append(value); break;
                }
            }
        }
    }

    private void Dispatch(string eventName, string data)
    {
        switch (eventName)
        {
            case "opportunity" when Read<OpportunityChange>(data) is { } change:
                Publish(_dealSubscribers, change);
                break;
            case "notification" when Read<NotificationView>(data) is { } notification:
                Publish(_inboxSubscribers, new InboxChange(notification));
                break;
        }
    }

    private T? Read<T>(string data) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(data, Json);
        }
        catch (JsonException)
        {
            LogUnreadable(logger, data);
            return null;
        }
    }

    /// <summary>One view's queue of changes, applied one batch at a time.</summary>
    private sealed class Subscriber<T>(List<Subscriber<T>> subscribers, Func<IReadOnlyList<T>, Task> apply, ILogger logger) : IDisposable
    {
        private readonly Lock _gate = new();
        private List<T> _pending = [];
        private bool _applying;

        public void Add(T change)
        {
            lock (_gate)
            {
                _pending.Add(change);
                if (_applying)
                {
                    return;
                }

                _applying = true;
            }

            _ = Task.Run(ApplyAsync);
        }

        private async Task ApplyAsync()
        {
            while (true)
            {
                List<T> batch;
                lock (_gate)
                {
                    if (_pending.Count == 0)
                    {
                        _applying = false;
                        return;
                    }

                    (batch, _pending) = (_pending, []);
                }

                try
                {
                    await apply(batch);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // The next change reloads again; a failed reload must not stop this view's live updates.
                    LogApplyFailed(logger, exception);
                }
            }
        }

        public void Dispose()
        {
            lock (subscribers)
            {
                subscribers.Remove(this);
            }
        }
    }

    private void SetConnected(bool connected)
    {
        if (Connected != connected)
        {
            Connected = connected;
            ConnectionChanged?.Invoke();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_reading is not null)
        {
            await _reading.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        _stop.Dispose();
    }

    [LoggerMessage(LogLevel.Debug, "The live stream answered {StatusCode}; retrying later")]
    private static partial void LogUnavailable(ILogger logger, int statusCode);

    [LoggerMessage(LogLevel.Debug, "The live stream was cut ({Reason}); reconnecting")]
    private static partial void LogCut(ILogger logger, string reason);

    [LoggerMessage(LogLevel.Warning, "A view could not apply the live stream's changes; it will at the next one")]
    private static partial void LogApplyFailed(ILogger logger, Exception exception);

    [LoggerMessage(LogLevel.Warning, "An event of the live stream could not be read: {Data}")]
    private static partial void LogUnreadable(ILogger logger, string data);
}
