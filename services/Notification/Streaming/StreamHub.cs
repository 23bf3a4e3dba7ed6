using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;
using Pipeline.Notification.Domain;

namespace Pipeline.Notification.Streaming;

public sealed class StreamOptions
{
    /// <summary>A comment line this often keeps an idle stream open through proxies (YARP, load balancers).</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the replica reads the database for events its fan-out copy has not brought (yet).</summary>
    public TimeSpan CatchUpInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Events a slow client may have waiting; past that its stream ends and it reconnects with <c>Last-Event-ID</c>.</summary>
    public int ClientBuffer { get; set; } = 1000;

    /// <summary>How long events are kept for replay.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(1);
}

/// <summary>
/// The open streams of this replica, by organisation. Every committed event reaches it (through
/// <see cref="StreamFanOut"/>, or the database when a copy is late or lost) and is passed on, in position order and
/// once, to the open streams of its organisation whose holders may read it.
/// </summary>
public sealed partial class StreamHub(NpgsqlDataSource database, IOptions<StreamOptions> options, ILogger<StreamHub> logger) : BackgroundService
{
    private const int CatchUpBatch = 1000;
    private readonly ConcurrentDictionary<Guid, OrganizationFeed> _feeds = new();

    /// <summary>
    /// Opens a subscription that receives every event of the organisation after <paramref name="lastEventId"/> (or
    /// after the events already passed on, without one): those before <see cref="StreamSubscription.LiveAfter"/>
    /// are to be read from the database by the caller, the others arrive in <see cref="StreamSubscription.Live"/>.
    /// </summary>
    public async Task<StreamSubscription> SubscribeAsync(Guid organizationId, StreamViewer viewer, long? lastEventId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var feed = _feeds.GetOrAdd(organizationId, id => new OrganizationFeed(id));
            await feed.StartAsync(this, cancellationToken);
            long? committed = null;
            if (lastEventId > feed.Dispatched)
            {
                // Ahead of what this replica passed on: fine if committed (this replica lags), not if beyond (a stale
                // id from another organisation or an old database): then start from now.
                committed = await CommittedPositionAsync(organizationId, cancellationToken);
            }

            lock (feed)
            {
                if (feed.Closed)
                {
                    continue;
                }

                var start = lastEventId is { } last && last >= 0 && (committed is null || last <= committed) ? last : feed.Dispatched;
                var subscription = new StreamSubscription(this, feed, viewer, start, feed.Dispatched, options.Value.ClientBuffer);
                feed.Add(subscription);
                return subscription;
            }
        }
    }

    internal void Unsubscribe(StreamSubscription subscription)
    {
        var feed = subscription.Feed;
        lock (feed)
        {
            feed.Remove(subscription);
            if (feed.SubscriberCount == 0)
            {
                feed.Closed = true;
                _feeds.TryRemove(new KeyValuePair<Guid, OrganizationFeed>(feed.OrganizationId, feed));
            }
        }
    }

    /// <summary>Committed events of an organisation, in any order and possibly again: passed on in order, once.</summary>
    public void Accept(Guid organizationId, IReadOnlyList<LiveStreamItem> items)
    {
        if (_feeds.TryGetValue(organizationId, out var feed))
        {
            lock (feed)
            {
                feed.Accept(items);
            }
        }
    }

    /// <summary>Reads what the fan-out has not brought: a gap before events that did arrive, or events never copied.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CatchUpInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var feed in _feeds.Values)
            {
                try
                {
                    await CatchUpAsync(feed, stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogCatchUpFailed(logger, exception, feed.OrganizationId);
                }
            }
        }
    }

    private async Task CatchUpAsync(OrganizationFeed feed, CancellationToken cancellationToken)
    {
        while (true)
        {
            long after;
            lock (feed)
            {
                after = feed.Dispatched;
            }

            var items = await ReadAsync(feed.OrganizationId, after, long.MaxValue, CatchUpBatch, cancellationToken);
            if (items.Count == 0)
            {
                return;
            }

            LogCaughtUp(logger, items.Count, feed.OrganizationId);
            Accept(feed.OrganizationId, items);
            if (items.Count < CatchUpBatch)
            {
                return;
            }
        }
    }

    /// <summary>The organisation's events in (<paramref name="after"/>, <paramref name="upTo"/>], in position order.</summary>
    internal async Task<List<LiveStreamItem>> ReadAsync(Guid organizationId, long after, long upTo, int limit, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("""
            SELECT position, type, user_id, owner_id, team_id, data, created_at FROM stream_items
            WHERE organization_id = $1 AND position > $2 AND position <= $3 ORDER BY position LIMIT $4
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = organizationId });
        command.Parameters.Add(new NpgsqlParameter { Value = after });
        command.Parameters.Add(new NpgsqlParameter { Value = upTo });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var items = new List<LiveStreamItem>();
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new LiveStreamItem(
                reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetGuid(4), reader.GetString(5), reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return items;
    }

    private async Task<long> CommittedPositionAsync(Guid organizationId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT position FROM stream_positions WHERE organization_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = organizationId });
        return await command.ExecuteScalarAsync(cancellationToken) is long position ? position : 0;
    }

    /// <summary>One organisation's events as this replica passes them on.</summary>
    internal sealed class OrganizationFeed(Guid organizationId)
    {
        private readonly SemaphoreSlim _starting = new(1, 1);
        private readonly SortedDictionary<long, LiveStreamItem> _waiting = [];
        private bool _started;

        public Guid OrganizationId { get; } = organizationId;

        /// <summary>Every event up to this position has been passed on.</summary>
        public long Dispatched { get; private set; }

        // Notifications go to their one reader's streams, found by user; deal changes to every stream that may read them.
        private readonly Dictionary<string, List<StreamSubscription>> _byUser = [];
        private readonly List<StreamSubscription> _all = [];

        public int SubscriberCount
        {
            get
            {
                lock (this)
                {
                    return _all.Count;
                }
            }
        }

        /// <summary>Called under the feed's lock.</summary>
        public void Add(StreamSubscription subscription)
        {
            _all.Add(subscription);
            if (!_byUser.TryGetValue(subscription.Viewer.UserId, out var streams))
            {
                _byUser[subscription.Viewer.UserId] = streams = [];
            }

            streams.Add(subscription);
        }

        /// <summary>Called under the feed's lock.</summary>
        public void Remove(StreamSubscription subscription)
        {
            _all.Remove(subscription);
            if (_byUser.TryGetValue(subscription.Viewer.UserId, out var streams) && streams.Remove(subscription) && streams.Count == 0)
            {
                _byUser.Remove(subscription.Viewer.UserId);
            }
        }

        public bool Closed { get; set; }

        /// <summary>A new feed starts at the organisation's committed position: earlier events are replayed from the database.</summary>
        public async Task StartAsync(StreamHub hub, CancellationToken cancellationToken)
        {
            if (_started)
            {
                return;
            }

            await _starting.WaitAsync(cancellationToken);
            try
            {
                if (!_started)
                {
                    var committed = await hub.CommittedPositionAsync(OrganizationId, cancellationToken);
                    lock (this)
                    {
                        Dispatched = Math.Max(Dispatched, committed);
                        _started = true;
                    }
                }
            }
            finally
            {
                _starting.Release();
            }
        }

        /// <summary>Called under the feed's lock.</summary>
        public void Accept(IReadOnlyList<LiveStreamItem> items)
        {
            if (!_started)
            {
                return;
            }

            foreach (var item in items)
            {
                if (item.Position > Dispatched)
                {
                    _waiting.TryAdd(item.Position, item);
                }
            }

            while (_waiting.Remove(Dispatched + 1, out var next))
            {
                Dispatched = next.Position;
                if (next.Type == StreamEventTypes.Notification)
                {
                    if (next.UserId is not null && _byUser.TryGetValue(next.UserId, out var streams))
                    {
                        foreach (var stream in streams)
                        {
                            stream.Offer(next);
                        }
                    }

                    continue;
                }

                foreach (var stream in _all)
                {
                    if (stream.Viewer.CanRead(next))
                    {
                        stream.Offer(next);
                    }
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Read {Count} stream events of {OrganizationId} from the database (late or lost fan-out copies)")]
    private static partial void LogCaughtUp(ILogger logger, int count, Guid organizationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Catching up the stream of {OrganizationId} from the database failed; retrying")]
    private static partial void LogCatchUpFailed(ILogger logger, Exception exception, Guid organizationId);
}

/// <summary>One open stream's place in its organisation's feed.</summary>
public sealed class StreamSubscription : IDisposable
{
    private readonly StreamHub _hub;
    private readonly Channel<LiveStreamItem> _live;

    internal StreamSubscription(StreamHub hub, StreamHub.OrganizationFeed feed, StreamViewer viewer, long start, long liveAfter, int capacity)
    {
        _hub = hub;
        Feed = feed;
        Viewer = viewer;
        Start = start;
        LiveAfter = liveAfter;
        _live = Channel.CreateBounded<LiveStreamItem>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    internal StreamHub.OrganizationFeed Feed { get; }

    /// <summary>Who holds the stream: only what they may read is offered to it.</summary>
    public StreamViewer Viewer { get; }

    /// <summary>The client has every event up to here (its <c>Last-Event-ID</c>, or where the stream joined).</summary>
    public long Start { get; }

    /// <summary>Events after <see cref="Start"/> up to this position are in the database; later ones arrive in <see cref="Live"/>.</summary>
    public long LiveAfter { get; }

    public ChannelReader<LiveStreamItem> Live => _live.Reader;

    /// <summary>Set when the client fell more than its buffer behind: the stream ends, and the client's reconnection replays the rest.</summary>
    public bool Overflowed { get; private set; }

    internal void Offer(LiveStreamItem item)
    {
        if (!_live.Writer.TryWrite(item) && !Overflowed)
        {
            Overflowed = true;
            _live.Writer.TryComplete();
        }
    }

    public void Dispose() => _hub.Unsubscribe(this);
}
