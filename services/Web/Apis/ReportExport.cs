using Pipeline.Web.Infrastructure;

namespace Pipeline.Web.Apis;

/// <summary>
/// <c>GET /export/reports/{report}.csv?…</c>: each report's "CSV" link on the dashboard and the pipeline review. As
/// for the list's export (<see cref="CsvExport"/>), the browser has no token: the web server asks the reporting API
/// for <c>format=csv</c> with the user's token, passing the report's filters on as they are, and streams the answer back.
/// </summary>
public static class ReportExport
{
    private static readonly string[] Reports = ["summary", "funnel", "forecast", "win-loss", "changes"];

    private static readonly string[] Filters =
        ["pipelineId", "from", "to", "period", "ownerId", "teamId", "segment", "source", "groupBy", "months", "since", "until"];

    public static WebApplication MapReportExport(this WebApplication app)
    {
        app.MapGet("/export/reports/{report}.csv", async (string report, HttpContext http, IHttpClientFactory clients, UserTokens tokens, CancellationToken cancellationToken) =>
        {
            if (!Reports.Contains(report))
            {
                return Results.NotFound();
            }

            if (await tokens.AccessTokenAsync(http.User, cancellationToken) is not { } token)
            {
                return Results.Challenge();
            }

            var query = QueryString.Create(Filters
                .Where(name => !string.IsNullOrWhiteSpace(http.Request.Query[name]))
                .Select(name => new KeyValuePair<string, string?>(name, http.Request.Query[name]))
                .Append(new("format", "csv")));
            var gateway = clients.CreateClient(PipelineApi.GatewayStream);
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/reports/{report}" + query);
            request.Headers.Authorization = new("Bearer", token);
            var response = await gateway.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            http.Response.RegisterForDispose(response);
            if (!response.IsSuccessStatusCode)
            {
                return Results.Problem(title: "The export failed", statusCode: (int)response.StatusCode);
            }

            return Results.Stream(await response.Content.ReadAsStreamAsync(cancellationToken), "text/csv; charset=utf-8", $"{report}.csv");
        }).RequireAuthorization();
        return app;
    }
}
