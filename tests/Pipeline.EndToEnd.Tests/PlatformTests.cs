using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.EndToEnd.Tests;

public sealed class PlatformTests(PipelineApp pipeline) : IClassFixture<PipelineApp>
{
    private HttpClient Gateway => pipeline.Gateway;

    [Fact]
    public async Task Every_service_reports_healthy_through_the_gateway()
    {
        foreach (var service in PipelineApp.Services)
        {
            var response = await Gateway.GetAsync($"/api/{service}/health");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task An_event_written_through_one_services_outbox_reaches_every_other_service()
    {
        var sent = await Gateway.PostAsync($"/api/{ResourceNames.Opportunity}/diagnostics/probes", content: null);
        Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
        var probeId = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("probeId").GetGuid();

        foreach (var service in PipelineApp.Services.Where(s => s != ResourceNames.Opportunity))
        {
            await Eventually.Until(
                async () => (await Gateway.GetAsync($"/api/{service}/diagnostics/probes/{probeId}")).StatusCode == HttpStatusCode.OK,
                TimeSpan.FromSeconds(30),
                $"{service} received the probe sent by opportunity");
        }
    }

    [Fact]
    public async Task A_stopped_service_answers_503_problem_details_through_the_gateway_at_once()
    {
        await pipeline.StopServiceAsync(ResourceNames.Reporting);
        try
        {
            var clock = Stopwatch.StartNew();
            var response = await Gateway.GetAsync($"/api/{ResourceNames.Reporting}/diagnostics/probes/{Guid.NewGuid()}");
            clock.Stop();

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(503, problem.GetProperty("status").GetInt32());
            Assert.Equal(ResourceNames.Reporting, problem.GetProperty("service").GetString());
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"answered in {clock.Elapsed.TotalMilliseconds:0} ms");

            // The other services are not affected.
            Assert.Equal(HttpStatusCode.OK, (await Gateway.GetAsync($"/api/{ResourceNames.Opportunity}/health")).StatusCode);
        }
        finally
        {
            await pipeline.StartServiceAsync(ResourceNames.Reporting);
        }
    }
}
