using System.Buffers.Text;
using System.Text.Json;

namespace Pipeline.ServiceDefaults;

/// <summary>One page of a list that can grow (SPEC §5): pass <see cref="NextCursor"/> back as <c>cursor</c> for the next one.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>
/// The cursors of keyset paging, in every service: where a page ended (the last row's sort key and id) as opaque
/// base64url JSON, so rows added meanwhile are neither skipped nor repeated. A cursor that was not made here decodes
/// to null, and the caller answers 400.
/// </summary>
public static class KeysetCursor
{
    public static string Encode<T>(T position) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(position));

    public static T? Decode<T>(string value) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(Base64Url.DecodeFromChars(value));
        }
        catch (Exception exception) when (exception is FormatException or JsonException)
        {
            return null;
        }
    }
}
