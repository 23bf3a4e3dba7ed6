using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Contracts;
using Pipeline.Notification.Email;
using Pipeline.Testing;

namespace Pipeline.Notification.Tests;

[Collection(NotificationCollection.Name)]
public sealed class EmailTests(NotificationFixture fixture)
{
    [Fact]
    public async Task A_stage_alert_reaches_the_teams_manager_by_mail_with_text_and_html_parts()
    {
        var deal = "Fleet renewal " + Guid.NewGuid().ToString("N")[..6];
        await fixture.PublishAsync(new SendNotification
        {
            OrganizationId = DemoUsers.Acme, Recipients = [new NotificationRecipient(null, DemoUsers.East, "manager")], Channel = "inbox",
            Title = $"{deal} is in negotiation", Link = "/opportunities/7", CorrelationId = Guid.NewGuid(), Kind = "stage-alert", Template = "stage-alert",
            TemplateValues = new Dictionary<string, string>
            {
                ["opportunityTitle"] = deal, ["fromStage"] = "Proposal", ["toStage"] = "Negotiation & follow-up", ["ownerName"] = "Alice Martin",
                ["amount"] = "12,000.00", ["currency"] = "EUR",
            },
        });

        var mail = await Mailbox.WaitForAsync(DemoUsers.Maria, subject => subject.Contains(deal));
        Assert.Equal($"{deal} moved to Negotiation & follow-up", mail.Subject);
        Assert.Contains($"{deal} (12,000.00 EUR, owned by Alice Martin) moved from Proposal to Negotiation & follow-up.", mail.TextBody);
        Assert.Contains("http://localhost:8080/opportunities/7", mail.TextBody);
        Assert.Contains("Negotiation &amp; follow-up", mail.HtmlBody);
        Assert.Contains("<a href=\"http://localhost:8080/opportunities/7\">", mail.HtmlBody);
        Assert.Contains("notifications@pipeline.localhost", mail.From.ToString());
        // Stage alerts also arrive in the app, by default.
        await fixture.WaitForInboxItemAsync(DemoUsers.Maria, $"{deal} is in negotiation");
    }

    [Fact]
    public async Task A_quote_reminder_goes_to_the_contacts_address_in_their_language_and_never_to_an_inbox()
    {
        var contact = $"peter.{Guid.NewGuid():N}@initech.test";
        var command = new SendNotification
        {
            OrganizationId = DemoUsers.Acme, Recipients = [new NotificationRecipient(null, Email: contact, Name: "Peter Gibbons")], Channel = "email",
            Title = "Quote Q-000042", CorrelationId = Guid.NewGuid(), Kind = "quote-reminder", Template = "quote-reminder",
            TemplateValues = new Dictionary<string, string>
            {
                ["quoteNumber"] = "Q-000042", ["amount"] = "1 200,00", ["currency"] = "EUR", ["validUntil"] = "31/01/2027", ["senderName"] = "Alice Martin",
                ["language"] = "fr",
            },
        };
        await fixture.PublishAsync(command);
        await fixture.PublishAsync(command with { EventId = Guid.NewGuid() });

        var mail = await Mailbox.WaitForAsync(contact, _ => true);
        Assert.Equal("Relance : devis Q-000042", mail.Subject);
        Assert.StartsWith("Bonjour Peter Gibbons,", mail.TextBody);
        Assert.Contains("valable jusqu'au 31/01/2027", mail.TextBody);
        Assert.Contains("Peter Gibbons", mail.To.ToString());

        var inboxOnly = command with { EventId = Guid.NewGuid(), CorrelationId = Guid.NewGuid(), Channel = "inbox" };
        await fixture.PublishAsync(inboxOnly);
        await Eventually.Until(async () => await fixture.Database.CountAsync(
                $"SELECT count(*) FROM notification_records WHERE correlation_id = '{inboxOnly.CorrelationId}' AND array_to_string(skipped, ';') LIKE '%outside address receives e-mail only%'") == 1,
            TimeSpan.FromSeconds(10), "the outside address skipped on the in-app channel");
        await Eventually.Until(async () => await fixture.Database.CountAsync($"SELECT count(*) FROM outgoing_emails WHERE to_address = '{contact}' AND status = 'sent'") == 1,
            TimeSpan.FromSeconds(10), "one mail sent");
        Assert.Single(await Mailbox.ToAsync(contact));
    }

    [Fact]
    public async Task The_daily_digest_lists_each_users_overdue_activities_once_a_day_in_the_organisations_morning()
    {
        var subjects = new[] { "Call Initech " + Guid.NewGuid().ToString("N")[..6], "Send the revised quote", "Done already" };
        var due = new DateTimeOffset(2030, 1, 14, 9, 0, 0, TimeSpan.Zero);
        var activities = subjects.Select(subject => new ActivityScheduled
        {
            OrganizationId = DemoUsers.Acme, ActivityId = Guid.NewGuid(), OpportunityId = Guid.NewGuid(), Type = "call", Subject = subject,
            AssigneeId = DemoUsers.BobId, DueAt = due,
        }).ToList();
        foreach (var activity in activities)
        {
            await fixture.PublishAsync(activity);
        }

        await fixture.PublishAsync(new ActivityCompleted
        {
            OrganizationId = DemoUsers.Acme, ActivityId = activities[2].ActivityId, OpportunityId = activities[2].OpportunityId, Type = "call",
            AssigneeId = DemoUsers.BobId, CompletedAt = due,
        });
        await Eventually.Until(async () => await fixture.Database.CountAsync(
                $"SELECT count(*) FROM assigned_activities WHERE assignee_id = '{DemoUsers.BobId}' AND due_at = '2030-01-14T09:00:00Z'") == 3
            && await fixture.Database.CountAsync($"SELECT count(*) FROM assigned_activities WHERE activity_id = '{activities[2].ActivityId}' AND completed_at IS NOT NULL") == 1,
            TimeSpan.FromSeconds(10), "the activities known");

        var digest = fixture.ReplicaA.Services.GetRequiredService<DailyDigest>();
        // 07:30 in Paris (06:30 UTC): too early. 08:30 in Paris: Bob's digest. Again at 09:00 (and on the other replica): nothing more.
        Assert.Equal(0, await digest.RunDueAsync(new DateTimeOffset(2030, 1, 15, 6, 30, 0, TimeSpan.Zero), default));
        Assert.Equal(1, await digest.RunDueAsync(new DateTimeOffset(2030, 1, 15, 7, 30, 0, TimeSpan.Zero), default));
        Assert.Equal(0, await digest.RunDueAsync(new DateTimeOffset(2030, 1, 15, 8, 0, 0, TimeSpan.Zero), default));
        Assert.Equal(0, await fixture.ReplicaB.Services.GetRequiredService<DailyDigest>().RunDueAsync(new DateTimeOffset(2030, 1, 15, 8, 0, 0, TimeSpan.Zero), default));

        var mail = await Mailbox.WaitForAsync(DemoUsers.Bob, subject => subject == "2 overdue activities");
        Assert.Contains("2030-01-14 10:00 · call · " + subjects[0], mail.TextBody); // due times in Paris time
        Assert.Contains(subjects[1], mail.TextBody);
        Assert.DoesNotContain(subjects[2], mail.TextBody);
        Assert.Contains($"<li>2030-01-14 10:00 · call · {subjects[0]}</li>", WebUtility.HtmlDecode(mail.HtmlBody));
        Assert.Single(await Mailbox.ToAsync(DemoUsers.Bob), m => m.Subject == "2 overdue activities");
    }
}
