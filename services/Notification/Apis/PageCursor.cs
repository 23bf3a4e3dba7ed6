using Pipeline.ServiceDefaults;

namespace Pipeline.Notification.Apis;

/// <summary>Where a page (newest first) ends: the last row's creation time and id, opaque to clients (keyset paging).</summary>
public sealed record PageCursor(DateTimeOffset CreatedAt, Guid Id)
{
    public static string Of(DateTimeOffset createdAt, Guid id) => KeysetCursor.Encode(new PageCursor(createdAt, id));

    public static PageCursor? Parse(string text) => KeysetCursor.Decode<PageCursor>(text);
}
