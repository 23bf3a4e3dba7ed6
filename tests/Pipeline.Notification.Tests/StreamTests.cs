using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Contracts;
using Pipeline.Notification.Consumers;
using Pipeline.Notification.Domain;
using Pipeline.Testing;
using static Pipeline.Notification.Tests.Notifications;

namespace Pipeline.Notification.Tests;

[Collection(NotificationCollection.Name)]
public sealed class StreamTests(NotificationFixture fixture)
{
    [Fact]
    public async Task A_new_notification_reaches_an_open_stream_within_a_second()
    {
        using var alice = await fixture.ClientAsync(DemoUsers.Alice);
        await using var stream = await ServerSentEvents.OpenAsync(alice);
        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);

        var title = UniqueTitle("Live");
        var sent = Stopwatch.StartNew();
        await fixture.PublishAsync(To(DemoUsers.Acme, title, new NotificationRecipient(DemoUsers.AliceId)));
        var received = (await stream.WaitForAsync(e => e.Event == "notification" && e.Json.GetProperty("title").GetString() == title))[0];
        var latency = sent.Elapsed;

        Assert.True(latency < TimeSpan.FromSeconds(1), $"arrived after {latency.TotalMilliseconds:0} ms");
        Assert.NotNull(received.Id);
        Assert.Equal("Body of " + title, received.Json.GetProperty("body").GetString());
        var item = await fixture.WaitForInboxItemAsync(DemoUsers.Alice, title);
        Assert.Equal(item.GetProperty("id").GetString(), received.Json.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Reconnecting_with_Last_Event_ID_gets_what_was_missed_once()
    {
        var titles = Enumerable.Range(1, 4).Select(i => UniqueTitle($"Missed {i}")).ToList();
        using var bob = await fixture.ClientAsync(DemoUsers.Bob);
        string lastId;
        await using (var first = await ServerSentEvents.OpenAsync(bob))
        {
            await fixture.PublishAsync(To(DemoUsers.Acme, titles[0], new NotificationRecipient(DemoUsers.BobId)));
            lastId = (await first.WaitForAsync(e => e.Data.Contains(titles[0])))[0].Id!;
        }

        // Sent while the client is away.
        await fixture.PublishAsync(To(DemoUsers.Acme, titles[1], new NotificationRecipient(DemoUsers.BobId)));
        await fixture.PublishAsync(To(DemoUsers.Acme, titles[2], new NotificationRecipient(DemoUsers.BobId)));
        await fixture.WaitForInboxItemAsync(DemoUsers.Bob, titles[2]);
        await fixture.WaitForInboxItemAsync(DemoUsers.Bob, titles[1]);

        // Reconnected on the other replica, as a load balancer may do.
        using var bobOnB = await fixture.ClientAsync(DemoUsers.Bob, fixture.ReplicaB);
        await using var again = await ServerSentEvents.OpenAsync(bobOnB, lastEventId: lastId);
        await again.WaitForAsync(e => e.Data.Contains(titles[1]));
        await again.WaitForAsync(e => e.Data.Contains(titles[2]));
        await fixture.PublishAsync(To(DemoUsers.Acme, titles[3], new NotificationRecipient(DemoUsers.BobId)));
        await again.WaitForAsync(e => e.Data.Contains(titles[3]));

        var mine = again.Events.Where(e => titles.Any(e.Data.Contains)).ToList();
        Assert.DoesNotContain(mine, e => e.Data.Contains(titles[0]));
        Assert.Equal(3, mine.Count);
        Assert.Equal(again.Events.Count, again.Events.Select(e => e.Id).Distinct().Count());
        var ids = again.Events.Select(e => long.Parse(e.Id!)).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.All(ids, id => Assert.True(id > long.Parse(lastId)));
    }

    [Fact]
    public async Task A_stream_held_by_one_replica_receives_what_the_other_replica_handled()
    {
        using var onB = await fixture.ClientAsync(DemoUsers.Maria, fixture.ReplicaB);
        await using var stream = await ServerSentEvents.OpenAsync(onB);
        var title = UniqueTitle("From replica A");
        var command = To(DemoUsers.Acme, title, new NotificationRecipient(DemoUsers.MariaId));

        // Handled by replica A exactly as its consumer handles a command.
        await using (var scope = fixture.ReplicaA.Services.CreateAsyncScope())
        {
            var work = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
            var notifier = scope.ServiceProvider.GetRequiredService<Notifier>();
            await work.HandleOnceAsync("test-replica-a", command, NullLogger.Instance, () => notifier.NotifyAsync(
                new NotificationRequest(command.CorrelationId, command.Recipients, command.Channel, command.Title, command.Body), default), default);
        }

        var sent = Stopwatch.StartNew();
        await stream.WaitForAsync(e => e.Event == "notification" && e.Data.Contains(title), timeout: TimeSpan.FromSeconds(5));
        Assert.True(sent.Elapsed < TimeSpan.FromSeconds(1), $"arrived after {sent.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task A_deal_moved_by_alice_reaches_the_streams_of_those_who_may_read_it_only()
    {
        await using var bob = await ServerSentEvents.OpenAsync(await fixture.ClientAsync(DemoUsers.Bob));
        await using var admin = await ServerSentEvents.OpenAsync(await fixture.ClientAsync(DemoUsers.AcmeAdmin, fixture.ReplicaB));
        await using var carol = await ServerSentEvents.OpenAsync(await fixture.ClientAsync(DemoUsers.Carol));
        await using var eve = await ServerSentEvents.OpenAsync(await fixture.ClientAsync(DemoUsers.Eve));

        using var alice = await fixture.OpportunityClientAsync(DemoUsers.Alice);
        var created = await alice.PostAsJsonAsync("/api/opportunities", new
        {
            title = "Fleet renewal " + Guid.NewGuid().ToString("N")[..6], accountName = "Initech", amount = 12000, currency = "EUR", expectedDecisionDate = "2027-03-31",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var deal = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = deal.GetProperty("id").GetString()!;
        var pipelines = await alice.GetFromJsonAsync<JsonElement>("/api/pipelines");
        var pipeline = pipelines.ValueKind == JsonValueKind.Array ? pipelines[0] : pipelines.GetProperty("items")[0];
        var proposal = pipeline.GetProperty("stages").EnumerateArray().First(s => s.GetProperty("name").GetString() == "Proposal").GetProperty("id").GetString();
        using var move = new HttpRequestMessage(HttpMethod.Post, $"/api/opportunities/{id}/stage") { Content = JsonContent.Create(new { stageId = proposal }) };
        move.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        Assert.Equal(HttpStatusCode.OK, (await alice.SendAsync(move)).StatusCode);

        foreach (var reader in new[] { bob, admin })
        {
            var moved = (await reader.WaitForAsync(e => e.Event == "opportunity" && e.Data.Contains(id) && e.Json.GetProperty("change").GetString() == "StageChanged"))[0];
            Assert.Equal(proposal, moved.Json.GetProperty("stageId").GetString());
            Assert.Equal(pipeline.GetProperty("id").GetString(), moved.Json.GetProperty("pipelineId").GetString());
            Assert.Equal("open", moved.Json.GetProperty("status").GetString());
            Assert.Equal(2, moved.Json.GetProperty("version").GetInt64());
            await reader.WaitForAsync(e => e.Event == "opportunity" && e.Data.Contains(id) && e.Json.GetProperty("change").GetString() == "OpportunityCreated");
        }

        // Carol (another team) and Eve (another organisation) are told nothing of it; their streams are alive.
        await carol.WaitForAsync(e => true, count: 0);
        await Eventually.Until(() => Task.FromResult(carol.Comments.Contains("keep-alive") && eve.Comments.Contains("keep-alive")),
            TimeSpan.FromSeconds(10), "keep-alive comments on idle streams");
        Assert.DoesNotContain(carol.Events, e => e.Data.Contains(id));
        Assert.DoesNotContain(eve.Events, e => e.Data.Contains(id));
    }

    [Fact]
    public async Task A_last_event_id_that_is_not_a_number_is_a_400()
    {
        using var alice = await fixture.ClientAsync(DemoUsers.Alice);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/notifications/stream");
        request.Headers.Add("Last-Event-ID", "yesterday");
        var response = await alice.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("Last-Event-ID", out _));
    }
}
