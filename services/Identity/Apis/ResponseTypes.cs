namespace Pipeline.Identity.Apis;

/// <summary>
/// The problem answers a route's typed results cannot show in its OpenAPI document: 401 without a valid token (the
/// authentication middleware answers it), 403 for a role that may not act, and the statuses of
/// <c>TypedResults.Problem</c> (409, 412), whose type does not carry its status.
/// </summary>
internal static class ResponseTypes
{
    public static RouteHandlerBuilder Refusals(this RouteHandlerBuilder route, params int[] statuses)
    {
        foreach (var status in statuses.Prepend(StatusCodes.Status401Unauthorized))
        {
            route = route.ProducesProblem(status);
        }

        return route;
    }
}
