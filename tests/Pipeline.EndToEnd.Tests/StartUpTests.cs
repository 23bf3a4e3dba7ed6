using System.Net;
using System.Text.Json;

namespace Pipeline.EndToEnd.Tests;

/// <summary>"Ready" means a user can work: the system was started from a fresh data folder by the fixture.</summary>
[Collection(PipelineCollection.Name)]
public sealed class StartUpTests(PipelineApp pipeline)
{
    [Fact]
    public void The_gateway_is_ready_only_once_a_demo_user_can_sign_in_and_load_the_board_at_the_first_try()
    {
        var startUp = pipeline.StartUp;
        Assert.Equal(HttpStatusCode.OK, startUp.SignIn);
        Assert.Equal(HttpStatusCode.OK, startUp.Board);
        var services = JsonDocument.Parse(startUp.ReadinessBody).RootElement.GetProperty("services");
        foreach (var essential in new[] { ResourceNames.Identity, ResourceNames.Opportunity, ResourceNames.Web })
        {
            Assert.Equal("Healthy", services.GetProperty(essential).GetString());
        }
    }

    [Fact]
    public async Task The_gateways_readiness_names_the_service_that_cannot_serve()
    {
        await pipeline.StopServiceAsync(ResourceNames.Reporting);
        try
        {
            // Reporting down: users still sign in and work (200), and the answer says what is missing.
            var degraded = await pipeline.Gateway.GetAsync("/health");
            Assert.Equal(HttpStatusCode.OK, degraded.StatusCode);
            var body = JsonDocument.Parse(await degraded.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("Degraded", body.GetProperty("status").GetString());
            Assert.StartsWith("Degraded", body.GetProperty("services").GetProperty(ResourceNames.Reporting).GetString());
        }
        finally
        {
            await pipeline.StartServiceAsync(ResourceNames.Reporting);
        }

        await pipeline.StopServiceAsync(ResourceNames.Opportunity);
        try
        {
            // Without the opportunity service nobody can load the board: not ready.
            var unready = await pipeline.Gateway.GetAsync("/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unready.StatusCode);
            Assert.StartsWith("Unhealthy", JsonDocument.Parse(await unready.Content.ReadAsStringAsync()).RootElement
                .GetProperty("services").GetProperty(ResourceNames.Opportunity).GetString());
        }
        finally
        {
            await pipeline.StartServiceAsync(ResourceNames.Opportunity);
        }
    }
}
