namespace Pipeline.Notification.Apis;

/// <summary>The problem details answers of the notification APIs.</summary>
internal static class Problems
{
    /// <summary>400: the request itself is malformed; names each field.</summary>
    public static IResult Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The request is not valid.");

    public static IResult Invalid(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>422: well-formed, but refused (an address webhooks may not reach, ...).</summary>
    public static IResult Unprocessable(string field, string message) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Title = "The request cannot be carried out.",
            Status = StatusCodes.Status422UnprocessableEntity,
        });

    public static IResult NotFound(string what) =>
        TypedResults.Problem(title: $"{what} not found", statusCode: StatusCodes.Status404NotFound);

    public static IResult Conflict(string detail) =>
        TypedResults.Problem(title: "Not possible now", detail: detail, statusCode: StatusCodes.Status409Conflict);
}
