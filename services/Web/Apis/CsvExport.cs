using Pipeline.Web.Infrastructure;

namespace Pipeline.Web.Apis;

/// <summary>
/// <c>GET /export/opportunities.csv?…</c>: the list view's "Export CSV" link. The browser has no token, so the web
/// server asks the opportunity service's export (the list's filters, passed on as they are) with the user's token and
/// streams the CSV back as it comes. <see cref="ProxyAsync"/> does the same for the reports' CSV links.
/// </summary>
public static class CsvExport
{
    private static readonly string[] Filters = ["pipelineId", "stageId", "status", "ownerId", "teamId", "segment", "source", "decisionFrom", "decisionTo", "q"];

    public static WebApplication MapCsvExport(this WebApplication app)
    {
        app.MapGet("/export/opportunities.csv", (HttpContext http, IHttpClientFactory clients, UserTokens tokens, CancellationToken cancellationToken) =>
            ProxyAsync(http, clients, tokens, "/api/opportunities/export", Filters, [], "opportunities.csv", cancellationToken)).RequireAuthorization();
        return app;
    }

    /// <summary>Asks the gateway for <paramref name="path"/> with the user's token and the request's <paramref name="filters"/>, and streams the CSV back.</summary>
    internal static async Task<IResult> ProxyAsync(
        HttpContext http, IHttpClientFactory clients, UserTokens tokens, string path, IEnumerable<string> filters,
        IEnumerable<KeyValuePair<string, string?>> extra, string fileName, CancellationToken cancellationToken)
    {
        if (await tokens.AccessTokenAsync(http.User, cancellationToken) is not { } token)
        {
            return Results.Challenge();
        }

        var query = QueryString.Create(filters
            .Where(name => !string.IsNullOrWhiteSpace(http.Request.Query[name]))
            .Select(name => new KeyValuePair<string, string?>(name, http.Request.Query[name]))
            .Concat(extra));
        var gateway = clients.CreateClient(PipelineApi.GatewayStream);
        using var request = new HttpRequestMessage(HttpMethod.Get, path + query);
        request.Headers.Authorization = new("Bearer", token);
        var response = await gateway.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        http.Response.RegisterForDispose(response);
        if (!response.IsSuccessStatusCode)
        {
            return Results.Problem(title: "The export failed", statusCode: (int)response.StatusCode);
        }

        return Results.Stream(await response.Content.ReadAsStreamAsync(cancellationToken), "text/csv; charset=utf-8", fileName);
    }
}
