using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Contracts;
using Pipeline.Testing;
using static Pipeline.Notification.Tests.Notifications;

namespace Pipeline.Notification.Tests;

[Collection(NotificationCollection.Name)]
public sealed class InboxTests(NotificationFixture fixture)
{
    [Fact]
    public async Task A_notification_reaches_each_recipient_once_and_only_they_see_it()
    {
        var title = UniqueTitle("Quote follow-up");
        var command = To(DemoUsers.Acme, title, new NotificationRecipient(DemoUsers.AliceId));
        await fixture.PublishAsync(command);
        await fixture.PublishAsync(command); // a redelivery: the inbox ignores it
        await fixture.PublishAsync(command with { EventId = Guid.NewGuid() }); // the same command sent again: its correlation id is known
        var item = await fixture.WaitForInboxItemAsync(DemoUsers.Alice, title);

        Assert.Equal("Body of " + title, item.GetProperty("body").GetString());
        Assert.Equal("/opportunities/42", item.GetProperty("link").GetString());
        Assert.Equal(JsonValueKind.Null, item.GetProperty("readAt").ValueKind);
        await Eventually.Until(async () => await fixture.Database.CountAsync($"SELECT count(*) FROM inbox_messages WHERE message_id = '{command.EventId}'") > 0,
            TimeSpan.FromSeconds(10), "the command handled");
        Assert.Equal(1, await fixture.Database.CountAsync($"SELECT count(*) FROM inbox_items WHERE title = '{title}'"));

        using var bob = await fixture.ClientAsync(DemoUsers.Bob);
        var bobs = await bob.GetFromJsonAsync<JsonElement>("/api/notifications?limit=100");
        Assert.DoesNotContain(bobs.GetProperty("items").EnumerateArray(), i => i.GetProperty("title").GetString() == title);
        var id = item.GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NotFound, (await bob.PostAsync($"/api/notifications/{id}/read", null)).StatusCode);
        using var eve = await fixture.ClientAsync(DemoUsers.Eve);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.PostAsync($"/api/notifications/{id}/read", null)).StatusCode);
    }

    [Fact]
    public async Task The_teams_managers_or_the_whole_team_are_resolved_from_the_directory()
    {
        var toManagers = UniqueTitle("Negotiation alert");
        var toTeam = UniqueTitle("Team news");
        await fixture.PublishAsync(To(DemoUsers.Acme, toManagers, new NotificationRecipient(null, DemoUsers.East, "manager")));
        await fixture.PublishAsync(To(DemoUsers.Acme, toTeam, new NotificationRecipient(null, DemoUsers.East)));

        await fixture.WaitForInboxItemAsync(DemoUsers.Maria, toManagers);
        foreach (var member in new[] { DemoUsers.Alice, DemoUsers.Bob, DemoUsers.Maria })
        {
            await fixture.WaitForInboxItemAsync(member, toTeam);
        }

        Assert.Equal(1, await fixture.Database.CountAsync($"SELECT count(*) FROM inbox_items WHERE title = '{toManagers}'"));
        Assert.Equal(3, await fixture.Database.CountAsync($"SELECT count(*) FROM inbox_items WHERE title = '{toTeam}'"));
        Assert.Equal(0, await fixture.Database.CountAsync($"SELECT count(*) FROM inbox_items WHERE title = '{toTeam}' AND user_id = '{DemoUsers.CarolId}'"));
    }

    [Fact]
    public async Task A_user_who_left_is_recorded_as_skipped_and_the_command_is_not_retried()
    {
        var leaver = Guid.NewGuid().ToString();
        await fixture.PublishAsync(new UserChanged
        {
            OrganizationId = DemoUsers.Acme, UserId = leaver, TeamId = DemoUsers.East, Role = "rep", Name = "Dan Left", Email = "dan@acme.test", Active = false,
        });
        await Eventually.Until(async () => await fixture.Database.CountAsync($"SELECT count(*) FROM directory_users WHERE user_id = '{leaver}'") == 1,
            TimeSpan.FromSeconds(10), "the leaver is in the directory");
        var title = UniqueTitle("For someone gone");
        var command = To(DemoUsers.Acme, title, new NotificationRecipient(leaver), new NotificationRecipient(DemoUsers.BobId));
        await fixture.PublishAsync(command);

        await fixture.WaitForInboxItemAsync(DemoUsers.Bob, title);
        var skipped = await Eventually.Until(async () => await fixture.Database.CountAsync(
                $"SELECT count(*) FROM notification_records WHERE correlation_id = '{command.CorrelationId}' AND array_to_string(skipped, ';') LIKE '%{leaver}: no longer active%'"),
            count => count == 1, TimeSpan.FromSeconds(10), "the skip recorded");
        Assert.Equal(1, skipped);
        Assert.Equal(1, await fixture.Database.CountAsync($"SELECT count(*) FROM inbox_items WHERE title = '{title}'"));
        // Handled once, nothing in the error queue: the inbox holds one record of the command.
        Assert.Equal(1, await fixture.Database.CountAsync($"SELECT count(*) FROM inbox_messages WHERE message_id = '{command.EventId}'"));
    }

    [Fact]
    public async Task Unread_items_are_counted_marked_read_one_by_one_or_all_at_once_and_paged()
    {
        var titles = Enumerable.Range(1, 3).Select(i => UniqueTitle($"Carol item {i}")).ToList();
        foreach (var title in titles)
        {
            await fixture.PublishAsync(To(DemoUsers.Acme, title, new NotificationRecipient(DemoUsers.CarolId)));
        }

        foreach (var title in titles)
        {
            await fixture.WaitForInboxItemAsync(DemoUsers.Carol, title);
        }

        using var carol = await fixture.ClientAsync(DemoUsers.Carol);
        var before = await carol.GetFromJsonAsync<JsonElement>("/api/notifications?unread");
        var unread = before.GetProperty("unreadCount").GetInt32();
        Assert.True(unread >= 3);

        var first = await fixture.WaitForInboxItemAsync(DemoUsers.Carol, titles[0]);
        var read = await carol.PostAsync($"/api/notifications/{first.GetProperty("id").GetString()}/read", null);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.NotEqual(JsonValueKind.Null, (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("readAt").ValueKind);
        var after = await carol.GetFromJsonAsync<JsonElement>("/api/notifications?unread=true&limit=100");
        Assert.Equal(unread - 1, after.GetProperty("unreadCount").GetInt32());
        Assert.DoesNotContain(after.GetProperty("items").EnumerateArray(), i => i.GetProperty("title").GetString() == titles[0]);

        // Pages of one, newest first, until the end.
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await carol.GetFromJsonAsync<JsonElement>("/api/notifications?limit=1" + (cursor is null ? "" : $"&cursor={cursor}"));
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("title").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        Assert.Equal(seen.Distinct().Count(), seen.Count);
        Assert.True(seen.IndexOf(titles[2]) < seen.IndexOf(titles[0]), "newest first");

        var all = await carol.PostAsync("/api/notifications/read-all", null);
        Assert.True((await all.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("marked").GetInt32() >= 2);
        Assert.Equal(0, (await carol.GetFromJsonAsync<JsonElement>("/api/notifications")).GetProperty("unreadCount").GetInt32());
    }

    [Fact]
    public async Task Bad_paging_is_a_400_naming_the_parameter()
    {
        using var alice = await fixture.ClientAsync(DemoUsers.Alice);
        foreach (var (query, field) in new[] { ("limit=0", "limit"), ("limit=101", "limit"), ("cursor=nonsense", "cursor"), ("unread=maybe", "unread") })
        {
            var response = await alice.GetAsync($"/api/notifications?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _), query);
        }
    }

    [Fact]
    public async Task An_api_client_has_no_inbox()
    {
        using var admin = await fixture.Issuer.AuthorizeAsync(new HttpClient { BaseAddress = fixture.Issuer.Address }, DemoUsers.AcmeAdmin);
        var registered = await admin.PostAsJsonAsync("/api/clients", new { name = "ERP sync " + Guid.NewGuid().ToString("N")[..6], role = "admin" });
        registered.EnsureSuccessStatusCode();
        var client = await registered.Content.ReadFromJsonAsync<JsonElement>();
        using var issuer = new HttpClient { BaseAddress = fixture.Issuer.Address };
        var token = await issuer.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = client.GetProperty("clientId").GetString()!,
            ["client_secret"] = client.GetProperty("clientSecret").GetString()!, ["scope"] = "pipeline-api",
        }));
        token.EnsureSuccessStatusCode();
        using var service = fixture.ReplicaA.CreateClient();
        service.DefaultRequestHeaders.Authorization = new("Bearer", (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString());

        Assert.Equal(HttpStatusCode.Forbidden, (await service.GetAsync("/api/notifications")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await service.PostAsync($"/api/notifications/{Guid.NewGuid()}/read", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await service.PostAsync("/api/notifications/read-all", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await service.GetAsync("/api/notifications/preferences")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await service.PutAsJsonAsync("/api/notifications/preferences", new { kinds = Array.Empty<object>() })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await service.GetAsync("/api/notifications/stream")).StatusCode);
        // It is an admin: webhooks are its business.
        Assert.Equal(HttpStatusCode.OK, (await service.GetAsync("/api/webhooks")).StatusCode);
    }
}
