using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pipeline.Gateway;

/// <summary>
/// The gateway is ready (<c>/health</c>) when a user can sign in and load the board through it: identity, the
/// opportunity service and the web UI answer their own readiness. Another service that does not makes the gateway
/// <c>Degraded</c> (still 200: what works is served; the body names what does not), so one failing service never
/// takes the whole product off the load balancer. The body lists every service's state, for the operator who asks.
/// </summary>
internal static class ServicesReadiness
{
    private const string ClientName = "readiness";

    /// <summary>Without these, nobody can sign in and see the pipeline.</summary>
    private static readonly string[] Essential = [ResourceNames.Identity, ResourceNames.Opportunity, ResourceNames.Web];

    private static readonly string[] Others = [ResourceNames.Automation, ResourceNames.Notification, ResourceNames.Reporting];

    public static IHostApplicationBuilder AddServicesReadiness(this IHostApplicationBuilder builder)
    {
        // A probe is asked again in seconds: no retries, and a short timeout, so the answer is now's. (Removing the
        // standard handler every client gets is marked experimental; it is the documented way to opt one client out.)
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient(ClientName, client => client.Timeout = TimeSpan.FromSeconds(3)).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        var checks = builder.Services.AddHealthChecks();
        foreach (var service in Essential.Concat(Others))
        {
            var failure = Essential.Contains(service) ? HealthStatus.Unhealthy : HealthStatus.Degraded;
            checks.Add(new HealthCheckRegistration(service, provider => new ServiceHealthCheck(provider.GetRequiredService<IHttpClientFactory>(), service), failure, ["services"]));
        }

        return builder;
    }

    /// <summary>Writes each check's state: <c>{"status": "Degraded", "services": {"identity": "Healthy", "reporting": "Unhealthy: ..."}}</c>.</summary>
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            services = report.Entries.Where(e => e.Value.Tags.Contains("services"))
                .ToDictionary(e => e.Key, e => e.Value.Status == HealthStatus.Healthy ? "Healthy" : $"{e.Value.Status}: {e.Value.Description}"),
        }));
    }

    private sealed class ServiceHealthCheck(IHttpClientFactory clients, string service) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                using var response = await clients.CreateClient(ClientName).GetAsync($"https+http://{service}/health", cancellationToken);
                return response.IsSuccessStatusCode
                    ? HealthCheckResult.Healthy()
                    : new HealthCheckResult(context.Registration.FailureStatus, $"{service} is not ready ({(int)response.StatusCode})");
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or InvalidOperationException)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, $"{service} does not answer yet ({exception.GetBaseException().Message})");
            }
        }
    }
}
