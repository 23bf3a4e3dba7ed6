using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Pipeline.Contracts;
using Pipeline.Testing;

namespace Pipeline.Notification.Tests;

[Collection(NotificationCollection.Name)]
public sealed class WebhookTests(NotificationFixture fixture)
{
    [Fact]
    public async Task Deliveries_arrive_signed_with_the_secret_shown_once()
    {
        var path = Path("signed");
        var (id, secret) = await SubscribeAsync(path, "StageChanged", "OpportunityCreated");
        using var admin = await fixture.ClientAsync(DemoUsers.AcmeAdmin);
        var read = await admin.GetFromJsonAsync<JsonElement>($"/api/webhooks/{id}");
        Assert.False(read.TryGetProperty("secret", out _));
        Assert.Equal("active", read.GetProperty("status").GetString());

        var moved = StageMoved(DemoUsers.Acme);
        await fixture.PublishAsync(moved);
        var delivery = (await WaitForDeliveriesAsync(path, 1))[0];

        Assert.Equal("StageChanged", delivery.Event);
        Assert.Equal($"sha256={Hmac(secret, delivery.Body)}", delivery.Signature);
        var body = JsonDocument.Parse(delivery.Body).RootElement;
        Assert.Equal(delivery.DeliveryId, body.GetProperty("deliveryId").GetString());
        Assert.Equal("StageChanged", body.GetProperty("event").GetString());
        Assert.Equal(DemoUsers.Acme, body.GetProperty("organizationId").GetGuid());
        Assert.Equal(moved.OccurredAt, body.GetProperty("occurredAt").GetDateTimeOffset());
        Assert.Equal(moved.OpportunityId, body.GetProperty("data").GetProperty("opportunityId").GetGuid());
        Assert.Equal("Proposal", body.GetProperty("data").GetProperty("toStageName").GetString());

        var log = await WaitForLogAsync(id, d => d.GetProperty("status").GetString() == "succeeded");
        Assert.Equal(delivery.DeliveryId, log.GetProperty("id").GetString());
        Assert.Equal(1, log.GetProperty("attempts").GetInt32());
        Assert.Equal(200, log.GetProperty("lastStatusCode").GetInt32());
    }

    [Fact]
    public async Task A_delivery_answered_500_is_retried_with_the_same_delivery_id_and_lands_once_in_effect()
    {
        var path = Path("flaky");
        fixture.Receiver.Script(path, [500, 503, 200]);
        var (id, secret) = await SubscribeAsync(path, "StageChanged");
        await fixture.PublishAsync(StageMoved(DemoUsers.Acme));

        var log = await WaitForLogAsync(id, d => d.GetProperty("status").GetString() == "succeeded");
        var received = fixture.Receiver.Received(path);
        Assert.Equal(3, received.Count);
        Assert.Single(received.Select(r => r.DeliveryId).Distinct());
        Assert.Single(received.Select(r => r.Text).Distinct());
        Assert.All(received, r => Assert.Equal($"sha256={Hmac(secret, r.Body)}", r.Signature));
        Assert.Equal(3, log.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task A_receiver_that_was_down_gets_the_delivery_once_it_is_back()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (id, _) = await SubscribeAtAsync(receiver.Url("down"), "StageChanged");
        await receiver.StopAsync();
        await fixture.PublishAsync(StageMoved(DemoUsers.Acme));

        var failing = await WaitForLogAsync(id, d => d.GetProperty("attempts").GetInt32() >= 2);
        Assert.Equal("pending", failing.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(failing.GetProperty("lastError").GetString()));
        Assert.Equal(JsonValueKind.String, failing.GetProperty("nextAttemptAt").ValueKind);

        await receiver.RestartAsync();
        await WaitForLogAsync(id, d => d.GetProperty("status").GetString() == "succeeded");
        Assert.Single(receiver.Received("down"));
    }

    [Fact]
    public async Task A_failed_delivery_is_redelivered_on_request_with_the_same_id()
    {
        var path = Path("redeliver");
        fixture.Receiver.Script(path, [500]);
        var (id, _) = await SubscribeAsync(path, "StageChanged");
        await fixture.PublishAsync(StageMoved(DemoUsers.Acme));
        var failed = await WaitForLogAsync(id, d => d.GetProperty("status").GetString() == "failed", TimeSpan.FromSeconds(30));
        Assert.Equal(500, failed.GetProperty("lastStatusCode").GetInt32());
        Assert.StartsWith("HTTP 500", failed.GetProperty("lastError").GetString());
        var deliveryId = failed.GetProperty("id").GetString();

        fixture.Receiver.Script(path, [200]);
        using var admin = await fixture.ClientAsync(DemoUsers.AcmeAdmin);
        var redeliver = await admin.PostAsync($"/api/webhooks/deliveries/{deliveryId}/redeliver", null);
        Assert.Equal(HttpStatusCode.Accepted, redeliver.StatusCode);
        await WaitForLogAsync(id, d => d.GetProperty("status").GetString() == "succeeded");
        Assert.All(fixture.Receiver.Received(path), r => Assert.Equal(deliveryId, r.DeliveryId));
    }

    [Fact]
    public async Task A_persistently_failing_subscription_is_paused_and_the_admins_told()
    {
        var path = Path("broken");
        fixture.Receiver.Script(path, [502]);
        var (id, _) = await SubscribeAsync(path, "StageChanged");
        await fixture.PublishAsync(StageMoved(DemoUsers.Acme));
        await fixture.PublishAsync(StageMoved(DemoUsers.Acme));

        using var admin = await fixture.ClientAsync(DemoUsers.AcmeAdmin);
        await Eventually.Until(async () => (await admin.GetFromJsonAsync<JsonElement>($"/api/webhooks/{id}")).GetProperty("status").GetString() == "paused",
            TimeSpan.FromSeconds(40), "the subscription paused");
        var told = await fixture.WaitForInboxItemAsync(DemoUsers.AcmeAdmin, $"Webhook paused: {fixture.Receiver.Url(path)}");
        Assert.Equal("webhook-paused", told.GetProperty("kind").GetString());

        // Paused: new events are not delivered to it.
        var before = fixture.Receiver.Received(path).Count;
        await fixture.PublishAsync(StageMoved(DemoUsers.Acme));
        var other = Path("witness");
        await SubscribeAsync(other, "StageChanged");
        var witness = StageMoved(DemoUsers.Acme);
        await fixture.PublishAsync(witness);
        await WaitForDeliveriesAsync(other, 1);
        Assert.Equal(before, fixture.Receiver.Received(path).Count);
        Assert.Equal(2, (await admin.GetFromJsonAsync<JsonElement>($"/api/webhooks/{id}/deliveries")).GetProperty("items").GetArrayLength());

        var resumed = await admin.PostAsync($"/api/webhooks/{id}/resume", null);
        Assert.Equal("active", (await resumed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_slow_receiver_does_not_hold_up_another_subscriptions_deliveries()
    {
        var slow = Path("slow");
        var fast = Path("fast");
        fixture.Receiver.Script(slow, [200], delay: TimeSpan.FromMilliseconds(1500));
        await SubscribeAsync(slow, "DecisionDateChanged");
        await SubscribeAsync(fast, "DecisionDateChanged");
        var started = DateTimeOffset.UtcNow;
        for (var i = 0; i < 30; i++)
        {
            await fixture.PublishAsync(new DecisionDateChanged
            {
                OrganizationId = DemoUsers.Acme, OpportunityId = Guid.NewGuid(), Version = 2, PreviousDate = new DateOnly(2027, 1, 1), NewDate = new DateOnly(2027, 2, 1),
            });
        }

        var delivered = await WaitForDeliveriesAsync(fast, 30, TimeSpan.FromSeconds(20));
        var lastFast = delivered.Max(d => d.At);
        Assert.True(lastFast - started < TimeSpan.FromSeconds(4), $"the fast receiver had all 30 after {(lastFast - started).TotalSeconds:0.0} s");
        Assert.True(fixture.Receiver.Received(slow).Count < 30, "the slow one was still working through its own");
    }

    [Fact]
    public async Task A_receiver_that_answers_slowly_or_hugely_holds_nothing_past_the_timeout()
    {
        var slow = Path("stalls");
        var huge = Path("huge");
        fixture.Receiver.Script(slow, [200], delay: TimeSpan.FromSeconds(30));
        fixture.Receiver.Script(huge, [500], bodyBytes: 50 * 1024 * 1024);
        var (slowId, _) = await SubscribeAsync(slow, "QuoteExpired");
        var (hugeId, _) = await SubscribeAsync(huge, "QuoteExpired");
        await fixture.PublishAsync(new QuoteExpired { OrganizationId = DemoUsers.Acme, OpportunityId = Guid.NewGuid(), QuoteId = Guid.NewGuid(), QuoteNumber = "Q-000042" });

        var timedOut = await WaitForLogAsync(slowId, d => d.GetProperty("lastError").GetString() is { Length: > 0 }, TimeSpan.FromSeconds(15));
        Assert.Equal("No answer within 2 s", timedOut.GetProperty("lastError").GetString());
        var refused = await WaitForLogAsync(hugeId, d => d.GetProperty("lastStatusCode").ValueKind == JsonValueKind.Number, TimeSpan.FromSeconds(15));
        Assert.True(refused.GetProperty("lastError").GetString()!.Length < 600, "only the start of the body is read");
    }

    [Fact]
    public async Task A_rotated_secret_signs_beside_the_previous_one_during_the_overlap()
    {
        var path = Path("rotated");
        var (id, previous) = await SubscribeAsync(path, "QuoteAccepted");
        using var admin = await fixture.ClientAsync(DemoUsers.AcmeAdmin);
        var rotated = await (await admin.PostAsync($"/api/webhooks/{id}/rotate-secret", null)).Content.ReadFromJsonAsync<JsonElement>();
        var secret = rotated.GetProperty("secret").GetString()!;
        Assert.NotEqual(previous, secret);
        Assert.True(rotated.GetProperty("previousSecretExpiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddHours(23));

        await fixture.PublishAsync(new QuoteAccepted { OrganizationId = DemoUsers.Acme, OpportunityId = Guid.NewGuid(), QuoteId = Guid.NewGuid(), QuoteNumber = "Q-000007" });
        var delivery = (await WaitForDeliveriesAsync(path, 1))[0];
        Assert.Equal($"sha256={Hmac(secret, delivery.Body)},sha256={Hmac(previous, delivery.Body)}", delivery.Signature);
    }

    [Fact]
    public async Task An_automation_webhook_action_delivers_its_data_once()
    {
        var path = Path("automation");
        var (id, secret) = await SubscribeAsync(path, "OpportunityWon");
        var command = new DeliverWebhook
        {
            OrganizationId = DemoUsers.Acme, SubscriptionId = id, Event = "AutomationRuleFired", Data = """{"rule":"Big deal won","amount":120000}""",
            CorrelationId = Guid.NewGuid(),
        };
        await fixture.PublishAsync(command);
        await fixture.PublishAsync(command with { EventId = Guid.NewGuid() });
        var delivery = (await WaitForDeliveriesAsync(path, 1))[0];

        Assert.Equal("AutomationRuleFired", delivery.Event);
        Assert.Equal($"sha256={Hmac(secret, delivery.Body)}", delivery.Signature);
        Assert.Equal("Big deal won", JsonDocument.Parse(delivery.Body).RootElement.GetProperty("data").GetProperty("rule").GetString());
        await Eventually.Until(async () => await fixture.Database.CountAsync($"SELECT count(*) FROM inbox_messages WHERE consumer = 'DeliverWebhookConsumer' AND message_id IN ('{command.EventId}')") == 1,
            TimeSpan.FromSeconds(10), "both commands handled");
        Assert.Equal(1, await fixture.Database.CountAsync($"SELECT count(*) FROM webhook_deliveries WHERE subscription_id = '{id}'"));
    }

    [Fact]
    public async Task Only_admins_of_the_organisation_manage_its_webhooks()
    {
        var (id, _) = await SubscribeAsync(Path("private"), "QuoteSent");
        var deliveryId = Guid.NewGuid();
        foreach (var user in new[] { DemoUsers.Alice, DemoUsers.Maria })
        {
            using var client = await fixture.ClientAsync(user);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/webhooks")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/api/webhooks", new { url = "https://example.com/hook", events = new[] { "QuoteSent" } })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"/api/webhooks/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.DeleteAsync($"/api/webhooks/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"/api/webhooks/{id}/deliveries")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync($"/api/webhooks/{id}/rotate-secret", null)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync($"/api/webhooks/{id}/resume", null)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync($"/api/webhooks/deliveries/{deliveryId}/redeliver", null)).StatusCode);
        }

        using var eve = await fixture.ClientAsync(DemoUsers.Eve);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.GetAsync($"/api/webhooks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.DeleteAsync($"/api/webhooks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.GetAsync($"/api/webhooks/{id}/deliveries")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.PostAsync($"/api/webhooks/{id}/rotate-secret", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.PostAsync($"/api/webhooks/{id}/resume", null)).StatusCode);
        var list = await eve.GetFromJsonAsync<JsonElement>("/api/webhooks");
        Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), s => s.GetProperty("id").GetGuid() == id);

        // Another organisation's delivery is not found either.
        var acmeDelivery = await AcmeDeliveryIdAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await eve.PostAsync($"/api/webhooks/deliveries/{acmeDelivery}/redeliver", null)).StatusCode);
    }

    [Fact]
    public async Task Bad_subscriptions_are_refused_naming_the_field()
    {
        using var admin = await fixture.ClientAsync(DemoUsers.AcmeAdmin);
        var cases = new (object Body, string Field)[]
        {
            (new { url = "ftp://example.com/hook", events = new[] { "StageChanged" } }, "url"),
            (new { url = "not a url", events = new[] { "StageChanged" } }, "url"),
            (new { events = new[] { "StageChanged" } }, "url"),
            (new { url = "https://example.com/hook", events = Array.Empty<string>() }, "events"),
            (new { url = "https://example.com/hook", events = new[] { "StageChanged", "DealExploded" } }, "events[1]"),
            (new { url = "https://example.com/hook", events = new[] { "StageChanged" }, description = new string('x', 501) }, "description"),
        };
        foreach (var (body, field) in cases)
        {
            var response = await admin.PostAsJsonAsync("/api/webhooks", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _), field);
        }
    }

    [Fact]
    public async Task A_removed_subscription_gets_nothing_more()
    {
        var path = Path("removed");
        var (id, _) = await SubscribeAsync(path, "OpportunityReopened");
        using var admin = await fixture.ClientAsync(DemoUsers.AcmeAdmin);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/webhooks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/webhooks/{id}")).StatusCode);

        var witness = Path("after-removal");
        await SubscribeAsync(witness, "OpportunityReopened");
        await fixture.PublishAsync(new OpportunityReopened
        {
            OrganizationId = DemoUsers.Acme, OpportunityId = Guid.NewGuid(), Version = 5, PipelineId = Guid.NewGuid(), StageId = Guid.NewGuid(),
            StageName = "Decision", Probability = 90, PreviousStatus = "lost",
        });
        await WaitForDeliveriesAsync(witness, 1);
        Assert.Empty(fixture.Receiver.Received(path));
    }

    private static string Path(string name) => $"hooks/{name}-{Guid.NewGuid():N}";

    private Task<(Guid Id, string Secret)> SubscribeAsync(string path, params string[] events) => SubscribeAtAsync(fixture.Receiver.Url(path), events);

    private async Task<(Guid Id, string Secret)> SubscribeAtAsync(Uri url, params string[] events)
    {
        using var admin = await fixture.ClientAsync(DemoUsers.AcmeAdmin);
        var response = await admin.PostAsJsonAsync("/api/webhooks", new { url = url.ToString(), events, description = "test" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("whsec_", created.GetProperty("secret").GetString());
        Assert.Equal("active", created.GetProperty("status").GetString());
        return (created.GetProperty("id").GetGuid(), created.GetProperty("secret").GetString()!);
    }

    private Task<IReadOnlyList<ReceivedDelivery>> WaitForDeliveriesAsync(string path, int count, TimeSpan? timeout = null) =>
        Eventually.Until(() => Task.FromResult(fixture.Receiver.Received(path)), received => received.Count >= count,
            timeout ?? TimeSpan.FromSeconds(15), $"{count} deliveries at {path}");

    private async Task<JsonElement> WaitForLogAsync(Guid subscription, Func<JsonElement, bool> condition, TimeSpan? timeout = null)
    {
        using var admin = await fixture.ClientAsync(DemoUsers.AcmeAdmin);
        var page = await Eventually.Until(async () => await admin.GetFromJsonAsync<JsonElement>($"/api/webhooks/{subscription}/deliveries"),
            log => log.GetProperty("items").EnumerateArray().Any(condition), timeout ?? TimeSpan.FromSeconds(20), "the delivery log");
        return page.GetProperty("items").EnumerateArray().First(condition);
    }

    private async Task<string> AcmeDeliveryIdAsync()
    {
        var path = Path("acme-only");
        var (id, _) = await SubscribeAsync(path, "QuoteDeclined");
        await fixture.PublishAsync(new QuoteDeclined { OrganizationId = DemoUsers.Acme, OpportunityId = Guid.NewGuid(), QuoteId = Guid.NewGuid(), QuoteNumber = "Q-1" });
        return (await WaitForLogAsync(id, _ => true)).GetProperty("id").GetString()!;
    }

    /// <summary>What a receiver computes to check a delivery (the README's recipe).</summary>
    private static string Hmac(string secret, byte[] body) => Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    internal static StageChanged StageMoved(Guid organization) => new()
    {
        OrganizationId = organization, OpportunityId = Guid.NewGuid(), Version = 2, PipelineId = Guid.NewGuid(), FromStageId = Guid.NewGuid(),
        FromStageName = "Discovery meeting", ToStageId = Guid.NewGuid(), ToStageName = "Proposal", Probability = 50, Amount = 12000, Currency = "EUR",
        OwnerId = DemoUsers.AliceId, TeamId = DemoUsers.East, TimeInPreviousStage = TimeSpan.FromDays(3),
    };
}
