using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Automation.Domain;
using Pipeline.Testing;

namespace Pipeline.Automation.Tests;

/// <summary>What each action sends, and to whom: the seeded negotiation alert, team and named users, the contact, a webhook.</summary>
[Collection(AutomationCollection.Name)]
public sealed class ActionTests(AutomationServiceFixture automation)
{
    [Fact]
    public async Task Moving_a_deal_of_team_East_to_negotiation_notifies_Maria_its_manager_and_nobody_else()
    {
        using var alice = await automation.OpportunityClientAsync(DemoUsers.Alice);
        var stages = await alice.DefaultStagesAsync();
        var deal = await alice.NewDealAsync("Fleet renewal East");
        await alice.MoveAsync(deal, stages["Negotiation & follow-up"]);

        var alert = await SeededRuleAsync("Negotiation alert");
        var runs = await automation.RunsAsync(alert, r => r.Any(run => run.Id("opportunityId") == deal && run.Str("status") == "fired"));
        var run = Assert.Single(runs, r => r.Id("opportunityId") == deal);
        Assert.Equal("Moved from Qualification to Negotiation & follow-up; notified Maria Lopez (manager of East)", run.Str("reason"));

        var sent = await automation.Events.WaitForAsync("SendNotification", e => e.Guid("correlationId") == ActionPlan.CorrelationId(run.Id(), 0));
        var recipient = Assert.Single(sent[0].Message.GetProperty("recipients").EnumerateArray());
        Assert.Equal(DemoUsers.East, recipient.GetProperty("teamId").GetGuid());
        Assert.Equal("manager", recipient.Str("role"));
        Assert.Null(recipient.Str("userId"));
        Assert.Equal("Fleet renewal East reached Negotiation & follow-up", sent[0].Text("title"));
        Assert.Single(automation.Events.Of("SendNotification", e => e.Message.TryGetProperty("opportunityId", out var id) && id.ValueKind == JsonValueKind.String && id.GetGuid() == deal));
    }

    [Fact]
    public async Task A_notification_reaches_the_owners_whole_team_and_named_users()
    {
        var segment = $"team-{Guid.NewGuid():N}";
        using var deals = await automation.OpportunityClientAsync(DemoUsers.Bob);
        var proposal = (await deals.DefaultStagesAsync())["Proposal"];
        var rule = await automation.CreateRuleAsync(new
        {
            name = "Proposal to the team and Carol",
            trigger = new { type = "StageChanged", toStageId = proposal },
            conditions = new[] { new { field = "segment", @operator = "eq", value = segment } },
            actions = new[] { new { type = "notify", recipients = new[] { "team", $"user:{DemoUsers.CarolId}" }, body = "{title} is at {stage}" } },
        });
        var deal = await deals.NewDealAsync("Team deal", extra: new { segment });
        await deals.MoveAsync(deal, proposal);

        var run = Assert.Single(await automation.RunsAsync(rule.Id(), r => r.Any(x => x.Str("status") == "fired")));
        var sent = await automation.Events.WaitForAsync("SendNotification", e => e.Guid("correlationId") == ActionPlan.CorrelationId(run.Id(), 0));
        var recipients = sent[0].Message.GetProperty("recipients").EnumerateArray().ToList();
        Assert.Equal(2, recipients.Count);
        Assert.Equal(DemoUsers.East, recipients[0].GetProperty("teamId").GetGuid());
        Assert.Null(recipients[0].Str("role"));
        Assert.Equal(DemoUsers.CarolId, recipients[1].Str("userId"));
        Assert.Equal("Team deal is at Proposal", sent[0].Text("body"));
    }

    [Fact]
    public async Task The_contact_gets_a_templated_quote_reminder_and_the_webhook_action_asks_for_a_delivery_to_the_subscription()
    {
        var segment = $"contact-{Guid.NewGuid():N}";
        var subscription = Guid.NewGuid();
        var rule = await automation.CreateRuleAsync(new
        {
            name = "Remind the customer",
            trigger = new { type = "QuoteSent" },
            conditions = new[] { new { field = "segment", @operator = "eq", value = segment } },
            actions = new object[] { new { type = "emailContact" }, new { type = "webhook", subscriptionId = subscription } },
        });
        using var alice = await automation.OpportunityClientAsync(DemoUsers.Alice);
        var deal = await alice.NewDealAsync("Printer fleet", extra: new { segment });
        await alice.SendQuoteAsync(deal, 2500);

        var run = Assert.Single(await automation.RunsAsync(rule.Id(), r => r.Any(x => x.Str("status") == "fired")));
        var email = (await automation.Events.WaitForAsync("SendNotification", e => e.Guid("correlationId") == ActionPlan.CorrelationId(run.Id(), 0)))[0];
        Assert.Equal("email", email.Text("channel"));
        Assert.Equal("quote-reminder", email.Text("template"));
        var contact = Assert.Single(email.Message.GetProperty("recipients").EnumerateArray());
        Assert.Equal(("peter@initech.test", "Peter Gibbons"), (contact.Str("email"), contact.Str("name")));
        var values = email.Message.GetProperty("templateValues");
        Assert.Matches(@"^Q-\d+$", values.Str("quoteNumber"));
        Assert.Equal("2,500 EUR", values.Str("quoteAmount"));
        Assert.Equal("Alice Martin", values.Str("ownerName"));
        Assert.Equal("Acme", values.Str("organization"));

        var webhook = (await automation.Events.WaitForAsync("DeliverWebhook", e => e.Guid("correlationId") == ActionPlan.CorrelationId(run.Id(), 1)))[0];
        Assert.Equal(subscription, webhook.Guid("subscriptionId"));
        Assert.Equal("AutomationRuleFired", webhook.Text("event"));
        var data = JsonDocument.Parse(webhook.Text("data")!).RootElement;
        Assert.Equal(rule.Id(), data.Id("ruleId"));
        Assert.Equal(deal, data.Id("opportunityId"));
        Assert.Equal("QuoteSent", data.Str("trigger"));
    }

    [Fact]
    public async Task A_rule_that_cannot_act_records_a_failed_run_and_blocks_no_other_rule()
    {
        var segment = $"failing-{Guid.NewGuid():N}";
        using var admin = await automation.OpportunityClientAsync(DemoUsers.AcmeAdmin);
        var proposal = (await admin.DefaultStagesAsync())["Proposal"];
        var trigger = new { type = "StageChanged", toStageId = proposal };
        var conditions = new[] { new { field = "segment", @operator = "eq", value = segment } };
        var managerRule = await automation.CreateRuleAsync(new
        {
            name = "Tell the manager", trigger, conditions, actions = new[] { new { type = "notify", recipients = new[] { "manager" } } },
        });
        var ownerRule = await automation.CreateRuleAsync(new
        {
            name = "Tell the owner", trigger, conditions, actions = new[] { new { type = "notify", recipients = new[] { "owner" } } },
        });

        // The admin owns the deal and belongs to no team: there is no manager to tell.
        var deal = await admin.NewDealAsync("Admin's own deal", extra: new { segment });
        await admin.MoveAsync(deal, proposal);

        var failed = Assert.Single(await automation.RunsAsync(managerRule.Id(), r => r.Length > 0));
        Assert.Equal("failed", failed.Str("status"));
        Assert.Equal("Action 1 (notify) failed: the owner Acme Admin has no team", failed.Str("reason"));
        var fired = Assert.Single(await automation.RunsAsync(ownerRule.Id(), r => r.Length > 0));
        Assert.Equal("fired", fired.Str("status"));
        await automation.Events.WaitForAsync("SendNotification", e => e.Guid("correlationId") == ActionPlan.CorrelationId(fired.Id(), 0));
    }

    private async Task<Guid> SeededRuleAsync(string name)
    {
        using var admin = await automation.ClientAsync(DemoUsers.AcmeAdmin);
        return (await (await admin.GetAsync("/api/automation/rules?limit=200")).ReadAsync()).Items()
            .Single(r => r.Bool("seeded") && r.Str("name") == name).Id();
    }
}
