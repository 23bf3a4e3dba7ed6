using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.EndToEnd.Tests;

/// <summary>The diagnostics probe: an event sent through one service's outbox, recorded by every service.</summary>
public static class Probes
{
    public static async Task<Guid> SendAsync(PipelineApp pipeline, string service, string user)
    {
        var sent = await pipeline.Gateway.SendAsync(
            await pipeline.Tokens.AuthorizedAsync(HttpMethod.Post, $"/api/{service}/diagnostics/probes", user));
        Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
        return (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("probeId").GetGuid();
    }

    /// <summary>
    /// Waits until <paramref name="service"/> recorded the probe. On first start the demo import's events are ahead of
    /// it in the outbox and in the queues, and on two cores they take minutes to drain: hence the long wait.
    /// </summary>
    public static Task WaitUntilReceivedAsync(PipelineApp pipeline, string service, Guid probeId, string user) =>
        Eventually.Until(
            async () => (await pipeline.Gateway.SendAsync(await pipeline.Tokens.AuthorizedAsync(
                HttpMethod.Get, $"/api/{service}/diagnostics/probes/{probeId}", user))).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromMinutes(8),
            $"{service} received probe {probeId}");
}
