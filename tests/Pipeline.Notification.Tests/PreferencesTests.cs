using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Contracts;
using Pipeline.Testing;

namespace Pipeline.Notification.Tests;

/// <summary>Eve's preferences (Globex): no other test depends on how her notifications are routed.</summary>
[Collection(NotificationCollection.Name)]
public sealed class PreferencesTests(NotificationFixture fixture)
{
    [Fact]
    public async Task Preferences_route_each_kind_to_the_channels_the_user_chose()
    {
        using var eve = await fixture.ClientAsync(DemoUsers.Eve);
        var defaults = await eve.GetFromJsonAsync<JsonElement>("/api/notifications/preferences");
        var digest = defaults.GetProperty("kinds").EnumerateArray().Single(k => k.GetProperty("kind").GetString() == "digest");
        Assert.False(digest.GetProperty("inApp").GetBoolean());
        Assert.True(digest.GetProperty("email").GetBoolean());
        Assert.False(digest.GetProperty("chosen").GetBoolean());

        var put = await eve.PutAsJsonAsync("/api/notifications/preferences", new
        {
            language = "fr", kinds = new[] { new { kind = "rule", inApp = false, email = true }, new { kind = "stage-alert", inApp = true, email = true } },
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var chosen = await eve.GetFromJsonAsync<JsonElement>("/api/notifications/preferences");
        Assert.Equal("fr", chosen.GetProperty("language").GetString());
        var rule = chosen.GetProperty("kinds").EnumerateArray().Single(k => k.GetProperty("kind").GetString() == "rule");
        Assert.True(rule.GetProperty("chosen").GetBoolean());
        Assert.False(rule.GetProperty("inApp").GetBoolean());

        // A rule's notification now comes by mail only; a stage alert in French, in the app and by mail.
        var eveId = await fixture.UserIdAsync(DemoUsers.Eve);
        var byMail = Notifications.To(DemoUsers.Globex, Notifications.UniqueTitle("Rule fired"), new NotificationRecipient(eveId));
        await fixture.PublishAsync(byMail);
        var mail = await Mailbox.WaitForAsync(DemoUsers.Eve, subject => subject == byMail.Title);
        Assert.Contains(byMail.Body!, mail.TextBody);
        Assert.Equal(0, await fixture.Database.CountAsync($"SELECT count(*) FROM inbox_items WHERE title = '{byMail.Title}'"));

        var alert = new SendNotification
        {
            OrganizationId = DemoUsers.Globex, Recipients = [new NotificationRecipient(eveId)], Channel = "inbox", Title = Notifications.UniqueTitle("Alert"),
            CorrelationId = Guid.NewGuid(), Kind = "stage-alert", Template = "stage-alert",
            TemplateValues = new Dictionary<string, string> { ["opportunityTitle"] = "Hooli", ["fromStage"] = "Proposal", ["toStage"] = "Décision" },
        };
        await fixture.PublishAsync(alert);
        await Mailbox.WaitForAsync(DemoUsers.Eve, subject => subject == "Hooli est passée à l'étape Décision");
        await fixture.WaitForInboxItemAsync(DemoUsers.Eve, alert.Title);
    }

    [Fact]
    public async Task Unknown_kinds_languages_and_missing_choices_are_400s_naming_the_field()
    {
        using var eve = await fixture.ClientAsync(DemoUsers.Eve);
        var cases = new (object Body, string Field)[]
        {
            (new { kinds = new[] { new { kind = "gossip", inApp = true, email = true } } }, "kinds[0].kind"),
            (new { language = "de", kinds = Array.Empty<object>() }, "language"),
            (new { kinds = new object[] { new { kind = "rule", email = true } } }, "kinds[0].inApp"),
            (new { kinds = new[] { new { kind = "rule", inApp = true, email = true }, new { kind = "rule", inApp = false, email = true } } }, "kinds[1].kind"),
        };
        foreach (var (body, field) in cases)
        {
            var response = await eve.PutAsJsonAsync("/api/notifications/preferences", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _), field);
        }
    }
}
