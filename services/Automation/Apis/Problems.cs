using Microsoft.AspNetCore.Http.HttpResults;
using Pipeline.ServiceDefaults;

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

/// <summary>Where a page of rules or runs ended: the last row's creation time and id (<see cref="KeysetCursor"/>).</summary>
internal sealed record CreatedCursor(DateTimeOffset At, Guid Id)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public string Encode() => KeysetCursor.Encode(this);

    /// <summary>False for a cursor this service did not make; <paramref name="cursor"/> is null when there was none.</summary>
    public static bool TryDecode(string? value, out CreatedCursor? cursor)
    {
        cursor = value is null ? null : KeysetCursor.Decode<CreatedCursor>(value);
        return value is null || cursor is not null;
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
