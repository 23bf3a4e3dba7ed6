using Microsoft.AspNetCore.Http.HttpResults;

namespace Pipeline.Automation.Apis;

/// <summary>The problem details answers of the automation API (RFC 9457), each naming the field at fault where there is one.</summary>
internal static class Problems
{
    /// <summary>400: the request itself is malformed.</summary>
    public static ValidationProblem Invalid(Dictionary<string, string[]> errors) => TypedResults.ValidationProblem(errors, title: "The request is not valid.");

    public static ValidationProblem Invalid(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>422: well formed, but it names what does not exist or cannot be.</summary>
    public static ProblemHttpResult Unprocessable(Dictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors) { Title = "The request cannot be carried out.", Status = StatusCodes.Status422UnprocessableEntity });

    public static ProblemHttpResult NotFound(string what) => TypedResults.Problem(title: $"{what} not found", statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult Forbidden(string detail) => TypedResults.Problem(title: "Not allowed", detail: detail, statusCode: StatusCodes.Status403Forbidden);

    public static ProblemHttpResult Stale(long current) => TypedResults.Problem(
        title: "The rule has changed since you read it", detail: $"Its current version is {current}: read it again and retry.",
        statusCode: StatusCodes.Status412PreconditionFailed);

    public static ProblemHttpResult Conflict(string detail) => TypedResults.Problem(title: "Changed at the same time", detail: detail, statusCode: StatusCodes.Status409Conflict);
}

/// <summary>A page of a list that can grow: <c>{ "items": [...], "nextCursor": ".." }</c>.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>Keyset cursors: the last item's creation time and id, opaque to clients.</summary>
internal static class Cursors
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static string Encode(DateTimeOffset at, Guid id) =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{at.UtcTicks}:{id:N}"));

    public static bool TryDecode(string? cursor, out (DateTimeOffset At, Guid Id) position)
    {
        position = default;
        if (cursor is null)
        {
            return true;
        }

        try
        {
            var parts = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(cursor)).Split(':');
            if (parts.Length == 2 && long.TryParse(parts[0], out var ticks) && Guid.TryParseExact(parts[1], "N", out var id)
                && ticks is >= 0 and <= 3155378975999999999)
            {
                position = (new DateTimeOffset(ticks, TimeSpan.Zero), id);
                return true;
            }
        }
        catch (FormatException)
        {
        }

        return false;
    }
}

/// <summary>ETags are the rule's version; <c>If-Match</c> with another version answers 412.</summary>
internal static class Versions
{
    public static string ETag(long version) => $"\"{version}\"";

    public static bool Matches(HttpRequest request, long current)
    {
        var ifMatch = request.Headers.IfMatch.ToString();
        return string.IsNullOrWhiteSpace(ifMatch) || ifMatch.Trim() == "*"
            || ifMatch.Split(',').Select(tag => tag.Trim().TrimStart('W', '/').Trim('"')).Contains(current.ToString());
    }
}
