using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.EndToEnd.Tests;

[Collection(PipelineCollection.Name)]
public sealed class PlatformTests(PipelineApp pipeline)
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
        var probeId = await Probes.SendAsync(pipeline, ResourceNames.Opportunity, Tokens.AcmeAdmin);
        foreach (var service in PipelineApp.Services.Where(s => s != ResourceNames.Opportunity))
        {
            await Probes.WaitUntilReceivedAsync(pipeline, service, probeId, Tokens.AcmeAdmin);
        }
    }

    [Fact]
    public async Task A_stopped_service_answers_503_problem_details_through_the_gateway_at_once()
    {
        await pipeline.StopServiceAsync(ResourceNames.Reporting);
        try
        {
            var clock = Stopwatch.StartNew();
            var response = await Gateway.SendAsync(await pipeline.Tokens.AuthorizedAsync(
                HttpMethod.Get, $"/api/{ResourceNames.Reporting}/diagnostics/probes/{Guid.NewGuid()}", Tokens.AcmeAdmin));
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

    [Fact]
    public async Task One_trace_follows_a_request_from_the_gateway_through_the_broker_to_every_consumer()
    {
        // What an SRE opening the trace in the dashboard sees: (service, span) pairs.
        var expected = new[] { "gateway POST", "opportunity outbox dispatch ProbeSent", "opportunity Pipeline.Contracts:ProbeSent send" }
            .Concat(PipelineApp.Services.Select(service => $"{service} {service}-probe process"))
            .ToArray();

        // While the start-up import's spans flood the dashboard, each service's exporter queue overflows and drops spans
        // (OpenTelemetry's default: drop rather than hold memory without end). A probe sent then may lose part of its
        // trace, so a new probe, with a trace of its own, goes once the one before was handled everywhere: one of
        // them must arrive whole.
        var deadline = Stopwatch.StartNew();
        var spans = new HashSet<string>();
        while (!expected.All(spans.Contains) && deadline.Elapsed < TimeSpan.FromMinutes(10))
        {
            var (traceId, probeId) = await SendTracedProbeAsync();
            foreach (var service in PipelineApp.Services.Where(s => s != ResourceNames.Opportunity))
            {
                await Probes.WaitUntilReceivedAsync(pipeline, service, probeId, Tokens.AcmeAdmin);
            }

            // Telemetry is exported in batches, every few seconds.
            await Eventually.Until(async () => spans = await TraceSpansAsync(traceId), seen => expected.All(seen.Contains), TimeSpan.FromSeconds(60),
                "the dashboard shows the whole trace").ContinueWith(_ => { }); // not whole yet: the next probe's turn
        }

        Assert.Superset(expected.ToHashSet(), spans);
    }

    private async Task<(string TraceId, Guid ProbeId)> SendTracedProbeAsync()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var request = await pipeline.Tokens.AuthorizedAsync(HttpMethod.Post, $"/api/{ResourceNames.Opportunity}/diagnostics/probes", Tokens.AcmeAdmin);
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        var sent = await Gateway.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
        return (traceId, (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("probeId").GetGuid());
    }

    private async Task<HashSet<string>> TraceSpansAsync(string traceId)
    {
        var response = await pipeline.Dashboard.GetAsync($"/api/telemetry/traces/{traceId}");
        var spans = new HashSet<string>();
        if (!response.IsSuccessStatusCode)
        {
            // Said in the failure message, so that a refused or unknown address is not mistaken for a missing trace.
            spans.Add($"(the dashboard answered {(int)response.StatusCode} for trace {traceId})");
            return spans;
        }

        var trace = await response.Content.ReadFromJsonAsync<JsonElement>();
        foreach (var resource in trace.GetProperty("data").GetProperty("resourceSpans").EnumerateArray())
        {
            var service = resource.GetProperty("resource").GetProperty("attributes").EnumerateArray()
                .First(attribute => attribute.GetProperty("key").GetString() == "service.name")
                .GetProperty("value").GetProperty("stringValue").GetString();
            foreach (var scope in resource.GetProperty("scopeSpans").EnumerateArray())
            {
                foreach (var span in scope.GetProperty("spans").EnumerateArray())
                {
                    spans.Add($"{service} {span.GetProperty("name").GetString()}");
                }
            }
        }

        return spans;
    }
}
