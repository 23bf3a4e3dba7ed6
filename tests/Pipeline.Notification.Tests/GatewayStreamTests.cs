using System.Diagnostics;
using System.Net;
using Pipeline.Contracts;
using Pipeline.Testing;
using static Pipeline.Notification.Tests.Notifications;

namespace Pipeline.Notification.Tests;

/// <summary>The live stream as browsers get it: through the gateway (YARP), with a third replica run as a process.</summary>
[Collection(NotificationCollection.Name)]
public sealed class GatewayStreamTests(NotificationFixture fixture)
{
    [Fact]
    public async Task Through_the_gateway_events_arrive_at_once_and_comments_keep_an_idle_stream_open()
    {
        var servicePort = PrivateRabbitMqNode.FreePort();
        var gatewayPort = PrivateRabbitMqNode.FreePort();
        using var service = new ServiceProcess("Pipeline.Notification",
            fixture.Settings.ToDictionary(s => s.Key.Replace(":", "__"), s => s.Value)).Start($"--urls=http://127.0.0.1:{servicePort}");
        using var gateway = new ServiceProcess("Pipeline.Gateway", new Dictionary<string, string>
        {
            [$"services__{ResourceNames.Notification}__http__0"] = $"http://127.0.0.1:{servicePort}",
            ["Authentication__Authority"] = fixture.Issuer.Address.ToString(),
            // A proxy that cuts a connection silent for 5 s: the stream's comments (every 2 s here, 15 s by default) keep it.
            [$"ReverseProxy__Clusters__{ResourceNames.Notification}__HttpRequest__ActivityTimeout"] = "00:00:05",
        }).Start($"--urls=http://127.0.0.1:{gatewayPort}");
        using var client = await fixture.Issuer.AuthorizeAsync(new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gatewayPort}") }, DemoUsers.Alice);
        await Eventually.Until(async () =>
        {
            try
            {
                return (await client.GetAsync("/api/notification/health")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "the service answers through the gateway");

        await using var stream = await ServerSentEvents.OpenAsync(client);
        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
        await Eventually.Until(() => Task.FromResult(stream.Comments.Count(c => c == "keep-alive") >= 5 || stream.Ended),
            TimeSpan.FromSeconds(30), "ten idle seconds, twice the proxy's limit");
        Assert.False(stream.Ended, "the gateway cut the idle stream");

        var title = UniqueTitle("Through the gateway");
        var sent = Stopwatch.StartNew();
        await fixture.PublishAsync(To(DemoUsers.Acme, title, new NotificationRecipient(DemoUsers.AliceId)));
        await stream.WaitForAsync(e => e.Event == "notification" && e.Data.Contains(title));
        Assert.True(sent.Elapsed < TimeSpan.FromSeconds(1), $"arrived after {sent.Elapsed.TotalMilliseconds:0} ms");
    }
}
