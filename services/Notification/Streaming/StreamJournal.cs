using Microsoft.EntityFrameworkCore;
using Pipeline.Notification.Domain;
using Pipeline.Notification.Infrastructure;

namespace Pipeline.Notification.Streaming;

/// <summary>An event of the live stream before it has its position.</summary>
public sealed record PendingStreamItem(string Type, string Data, string? UserId = null, string? OwnerId = null, Guid? TeamId = null);

/// <summary>
/// The stream events one unit of work adds. <see cref="WriteAsync"/> numbers them, last thing before the commit;
/// <see cref="Committed"/> hands them to every replica's open streams once the commit succeeded.
/// </summary>
/// <remarks>
/// Positions come from one counter row per organisation, incremented in the writing transaction: its row lock,
/// held until the commit, makes the positions of an organisation dense and committed in order. So a client that
/// saw position n has seen (or may skip, not being a reader) everything up to n, and <c>Last-Event-ID</c> replay
/// can neither miss nor repeat an event. Writing it last keeps that lock for the insert and the commit only.
/// </remarks>
public sealed class StreamJournal(StreamFanOut fanOut, TimeProvider clock)
{
    private readonly List<PendingStreamItem> _pending = [];
    private readonly List<LiveStreamItem> _written = [];
    private Guid _organizationId;

    public void Add(PendingStreamItem item) => _pending.Add(item);

    /// <summary>Forgets what a failed attempt added (a retry runs the unit of work again).</summary>
    public void Reset()
    {
        _pending.Clear();
        _written.Clear();
    }

    public async Task WriteAsync(NotificationDbContext db, CancellationToken cancellationToken)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        _organizationId = db.Tenant.OrganizationId ?? throw new InvalidOperationException("Stream events belong to an organisation.");
        var count = _pending.Count;
        var last = (await db.Database.SqlQuery<long>($"""
            INSERT INTO stream_positions (organization_id, position) VALUES ({_organizationId}, {(long)count})
            ON CONFLICT (organization_id) DO UPDATE SET position = stream_positions.position + EXCLUDED.position
            RETURNING position AS "Value"
            """).ToListAsync(cancellationToken)).Single();
        var now = clock.GetUtcNow();
        var position = last - count;
        foreach (var pending in _pending)
        {
            var item = new StreamItem
            {
                OrganizationId = _organizationId, Position = ++position, Type = pending.Type, UserId = pending.UserId, OwnerId = pending.OwnerId,
                TeamId = pending.TeamId, Data = pending.Data, CreatedAt = now,
            };
            db.StreamItems.Add(item);
            _written.Add(LiveStreamItem.From(item));
        }

        _pending.Clear();
    }

    public void Committed()
    {
        if (_written.Count == 0)
        {
            return;
        }

        fanOut.Publish(_organizationId, [.. _written]);
        _written.Clear();
    }
}

/// <summary>A numbered stream event, as replicas pass it to one another and to their open streams.</summary>
public sealed record LiveStreamItem(long Position, string Type, string? UserId, string? OwnerId, Guid? TeamId, string Data, DateTimeOffset CreatedAt)
{
    public static LiveStreamItem From(StreamItem item) =>
        new(item.Position, item.Type, item.UserId, item.OwnerId, item.TeamId, item.Data, item.CreatedAt);
}

/// <summary>Who holds a stream: what they may read of the organisation's events.</summary>
public sealed record StreamViewer(string UserId, Guid? TeamId, bool IsAdmin)
{
    /// <summary>Their own notifications; changes to deals they own, of their team, or any deal for an admin (SPEC §1).</summary>
    public bool CanRead(LiveStreamItem item) => item.Type switch
    {
        StreamEventTypes.Notification => item.UserId == UserId,
        StreamEventTypes.Opportunity => IsAdmin || item.OwnerId == UserId || (TeamId is { } team && item.TeamId == team),
        _ => false,
    };
}
