using System.Globalization;
using System.Text;

namespace Pipeline.Notification.Apis;

/// <summary>Where a page (newest first) ends: the last row's creation time and id, opaque to clients (keyset paging).</summary>
public sealed record PageCursor(DateTimeOffset CreatedAt, Guid Id)
{
    public static string Of(DateTimeOffset createdAt, Guid id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{createdAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}:{id:N}"))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static PageCursor? Parse(string text)
    {
        try
        {
            var base64 = text.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(base64)).Split(':');
            return parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                   && ticks is > 0 and < 3155378975999999999 && Guid.TryParseExact(parts[1], "N", out var id)
                ? new PageCursor(new DateTimeOffset(ticks, TimeSpan.Zero), id)
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
