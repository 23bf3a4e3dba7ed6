using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Contracts;
using Pipeline.Testing;

namespace Pipeline.Notification.Tests;

/// <summary>Webhooks may not be aimed inside our network: at subscription time, and again where each delivery connects.</summary>
[Collection(GuardedServiceCollection.Name)]
public sealed class OutboundSafetyTests(GuardedServiceFixture fixture)
{
    [Theory]
    [InlineData("http://10.0.0.1/hooks", "a private network address")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "a cloud metadata address")]
    [InlineData("http://[::1]:8080/hooks", "a loopback address")]
    [InlineData("http://localhost:8080/hooks", "a loopback address")]
    [InlineData("http://192.168.1.20/hooks", "a private network address")]
    [InlineData("http://[fe80::1]/hooks", "a link-local address")]
    [InlineData("http://0.0.0.0/hooks", "an unspecified address")]
    public async Task A_subscription_to_an_address_inside_the_network_is_refused(string url, string reason)
    {
        using var admin = await fixture.ClientAsync(DemoUsers.AcmeAdmin);
        var response = await admin.PostAsJsonAsync("/api/webhooks", new { url, events = new[] { "StageChanged" } });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(reason, problem.GetProperty("errors").GetProperty("url")[0].GetString());
    }

    [Fact]
    public async Task A_delivery_is_refused_where_it_connects_when_the_name_leads_inside_the_network()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        // As if "localhost" had resolved to a public address when the subscription was made (DNS can change after).
        var subscription = Guid.NewGuid();
        await fixture.Database.ExecuteAsync($"""
            INSERT INTO webhook_subscriptions (id, organization_id, url, events, status, secret, consecutive_failures, created_by, created_at)
            VALUES ('{subscription}', '{DemoUsers.Acme}', 'http://localhost:{receiver.Port}/rebound', ARRAY['StageChanged'], 'active', 'whsec_test', 0, 'test', now())
            """);
        await fixture.PublishAsync(WebhookTests.StageMoved(DemoUsers.Acme));

        var failed = await Eventually.Until(
            async () => await fixture.Database.CountAsync(
                $"SELECT count(*) FROM webhook_deliveries WHERE subscription_id = '{subscription}' AND status = 'failed' AND last_error LIKE 'localhost is %loopback address: webhooks may not reach it'"),
            count => count == 1, TimeSpan.FromSeconds(20), "the delivery refused");
        Assert.Equal(1, failed);
        Assert.Empty(receiver.Received("rebound"));
    }

    [Fact]
    public async Task An_open_stream_ends_when_its_token_expires()
    {
        using var alice = await fixture.ClientAsync(DemoUsers.Alice);
        var opened = DateTimeOffset.UtcNow;
        await using var stream = await ServerSentEvents.OpenAsync(alice);
        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);

        await Eventually.Until(() => Task.FromResult(stream.Ended), TimeSpan.FromSeconds(30), "the stream ended");
        var lasted = DateTimeOffset.UtcNow - opened;
        Assert.True(lasted < GuardedServiceFixture.TokenLifetime + TimeSpan.FromSeconds(3), $"lasted {lasted.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task Mail_the_server_could_not_take_is_retried_until_it_is_back_and_sent_once()
    {
        var contact = $"carla.{Guid.NewGuid():N}@initech.test";
        var command = new SendNotification
        {
            OrganizationId = DemoUsers.Acme, Recipients = [new NotificationRecipient(null, Email: contact, Name: "Carla")], Channel = "email",
            Title = "Your quote", Body = "It is attached.", CorrelationId = Guid.NewGuid(),
        };
        await fixture.PublishAsync(command);
        await Eventually.Until(async () => await fixture.Database.CountAsync(
                $"SELECT count(*) FROM outgoing_emails WHERE to_address = '{contact}' AND status = 'pending' AND attempts >= 2 AND last_error IS NOT NULL") == 1,
            TimeSpan.FromSeconds(20), "the mail retried while the server is down");

        using var server = fixture.StartMailServer();
        try
        {
            await Eventually.Until(async () => await fixture.Database.CountAsync(
                    $"SELECT count(*) FROM outgoing_emails WHERE to_address = '{contact}' AND status = 'sent'") == 1,
                TimeSpan.FromSeconds(30), "the mail sent once the server is up");
            var files = Directory.GetFiles(Path.Combine(fixture.Maildir, "new"));
            var mail = Assert.Single(files);
            var message = await MimeKit.MimeMessage.LoadAsync(mail);
            Assert.Equal("Your quote", message.Subject);
            Assert.Equal(contact, message.To.Mailboxes.Single().Address);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }
}
