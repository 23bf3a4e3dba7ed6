namespace Pipeline.Opportunity.Apis;

/// <summary>The problem details answers shared by the opportunity APIs.</summary>
internal static class Problems
{
    /// <summary>400: the request itself is malformed (a field missing, out of range, of the wrong form).</summary>
    public static IResult Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The request is not valid.");

    public static IResult Invalid(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>422: well-formed, but not possible in the current state (a closed deal, an unknown stage, ...).</summary>
    public static IResult Unprocessable(string field, string message) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Title = "The request cannot be carried out.",
            Status = StatusCodes.Status422UnprocessableEntity,
        });

    public static IResult Forbidden(string detail) =>
        TypedResults.Problem(title: "Not allowed", detail: detail, statusCode: StatusCodes.Status403Forbidden);

    public static IResult NotFound(string what) =>
        TypedResults.Problem(title: $"{what} not found", statusCode: StatusCodes.Status404NotFound);

    public static IResult Stale(long current) =>
        TypedResults.Problem(title: "The opportunity has changed since you read it", detail: $"Its current version is {current}: read it again and retry.",
            statusCode: StatusCodes.Status412PreconditionFailed);

    public static IResult Conflict(string detail) =>
        TypedResults.Problem(title: "Changed at the same time", detail: detail, statusCode: StatusCodes.Status409Conflict);
}
