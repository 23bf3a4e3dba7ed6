using Pipeline.Web.Infrastructure;

namespace Pipeline.Web.Apis;

/// <summary>
/// <c>GET /export/reports/{report}.csv?…</c>: each report's "CSV" link on the dashboard and the pipeline review. As
/// for the list's export (<see cref="CsvExport"/>), the browser has no token: the web server asks the reporting API
/// for <c>format=csv</c> with the user's token, passing the report's filters on as they are, and streams the answer back
/// (<see cref="CsvExport.ProxyAsync"/>).
/// </summary>
public static class ReportExport
{
    private static readonly string[] Reports = ["summary", "funnel", "forecast", "win-loss", "changes", "deals"];

    private static readonly string[] Filters =
        ["pipelineId", "from", "to", "period", "ownerId", "teamId", "segment", "source", "groupBy", "months", "since", "until", "figure", "stageId",
         "cycleFrom", "cycleTo"];

    public static WebApplication MapReportExport(this WebApplication app)
    {
        app.MapGet("/export/reports/{report}.csv", (string report, HttpContext http, IHttpClientFactory clients, UserTokens tokens, CancellationToken cancellationToken) =>
            Reports.Contains(report)
                ? CsvExport.ProxyAsync(http, clients, tokens, $"/api/reports/{report}", Filters, [new("format", "csv")], $"{report}.csv", cancellationToken)
                : Task.FromResult(Results.NotFound())).RequireAuthorization();
        return app;
    }
}
