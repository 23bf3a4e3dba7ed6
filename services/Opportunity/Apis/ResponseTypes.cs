using Microsoft.OpenApi;

namespace Pipeline.Opportunity.Apis;

/// <summary>
/// What each route answers, for its OpenAPI document (and so the API reference and the web UI's generated client).
/// The handlers return <see cref="IResult"/> because most answers come from shared helpers (<see cref="Problems"/>,
/// the change pipeline of <c>OpportunitiesApi</c>); the metadata here declares every status they can produce.
/// </summary>
internal static class ResponseTypes
{
    /// <summary>
    /// The route answers <paramref name="status"/> with a <typeparamref name="T"/>, or problem details with each of
    /// <paramref name="problems"/> (400 and 422 name the fields), or 401 without a valid token.
    /// </summary>
    public static RouteHandlerBuilder Answers<T>(this RouteHandlerBuilder route, int status, params int[] problems) =>
        route.Produces<T>(status).Problems(problems);

    /// <summary>The route answers <paramref name="status"/> with no body of a JSON type (e.g. CSV), or the problems.</summary>
    public static RouteHandlerBuilder Answers(this RouteHandlerBuilder route, int status, string contentType, params int[] problems) =>
        route.Produces(status, typeof(string), contentType).Problems(problems);

    /// <summary>The route honours <c>If-Match</c> with the opportunity's ETag (its version in quotes): 412 when stale.</summary>
    public static RouteHandlerBuilder HonoursIfMatch(this RouteHandlerBuilder route) =>
        route.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "If-Match",
                In = ParameterLocation.Header,
                Description = "The ETag read with the opportunity (\"<version>\"); a stale one answers 412.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
            return Task.CompletedTask;
        });

    private static RouteHandlerBuilder Problems(this RouteHandlerBuilder route, int[] problems)
    {
        foreach (var problem in problems.Append(StatusCodes.Status401Unauthorized).Distinct())
        {
            route = problem is StatusCodes.Status400BadRequest or StatusCodes.Status422UnprocessableEntity
                ? route.ProducesValidationProblem(problem)
                : route.ProducesProblem(problem);
        }

        return route;
    }
}
