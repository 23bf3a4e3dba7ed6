using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Pipeline.Automation.Domain;
using Pipeline.Testing;

namespace Pipeline.Automation.Tests;

/// <summary>
/// The source article's automatic follow-up: a sent quote below an amount, unanswered after a delay, gets a follow-up
/// task and a notification for its owner; not when it was answered meanwhile, nor when it is above the amount in
/// the organisation's currency. Deals and quotes are made through the real opportunity service.
/// </summary>
[Collection(AutomationCollection.Name)]
public sealed class QuoteFollowUpTests(AutomationServiceFixture automation)
{
    /// <summary>The rule of the acceptance criteria, for the deals of one segment (other tests' quotes are not its business).</summary>
    private static object FollowUpAfterFiveSeconds(string segment) => new
    {
        name = $"Follow-up {segment}",
        trigger = new { type = "QuoteSent" },
        conditions = new object[] { new { field = "amount", @operator = "lt", value = 5000 }, new { field = "segment", @operator = "eq", value = segment } },
        delay = "PT5S",
        actions = new object[]
        {
            new { type = "createActivity", activityType = "task", subject = "Follow up quote {quoteNumber}", dueIn = "P1D" },
            new { type = "notify", recipients = new[] { "owner" }, title = "Quote {quoteNumber} unanswered" },
        },
    };

    [Fact]
    public async Task An_unanswered_quote_of_1200_EUR_gets_a_follow_up_activity_and_a_notification_for_its_owner()
    {
        var segment = $"smb-{Guid.NewGuid():N}";
        var rule = await automation.CreateRuleAsync(FollowUpAfterFiveSeconds(segment));
        using var alice = await automation.OpportunityClientAsync(DemoUsers.Alice);
        var deal = await alice.NewDealAsync("Fleet renewal", extra: new { segment });
        await alice.SendQuoteAsync(deal, 1200);

        var runs = await automation.RunsAsync(rule.Id(), r => r.Any(run => run.Id("opportunityId") == deal && run.Str("status") == "fired"));
        var run = Assert.Single(runs, r => r.Id("opportunityId") == deal);
        Assert.Matches(@"^Quote Q-\d+ \(1,200 EUR\) was sent; task 'Follow up quote Q-\d+' for Alice Martin; notified Alice Martin \(owner\)$", run.Str("reason"));
        var triggeredAt = run.GetProperty("triggeredAt").GetDateTimeOffset();
        Assert.Equal(triggeredAt.AddSeconds(5), run.GetProperty("dueAt").GetDateTimeOffset());
        Assert.True(run.GetProperty("firedAt").GetDateTimeOffset() >= triggeredAt.AddSeconds(5));

        var followUp = await automation.Events.WaitForAsync("CreateFollowUpActivity",
            e => e.Guid("correlationId") == ActionPlan.CorrelationId(run.Id(), 0));
        Assert.Equal(DemoUsers.AliceId, followUp[0].Text("assigneeId"));
        Assert.Equal(deal, followUp[0].Guid("opportunityId"));
        var notification = await automation.Events.WaitForAsync("SendNotification",
            e => e.Guid("correlationId") == ActionPlan.CorrelationId(run.Id(), 1));
        var recipient = Assert.Single(notification[0].Message.GetProperty("recipients").EnumerateArray());
        Assert.Equal(DemoUsers.AliceId, recipient.Str("userId"));
        Assert.Equal("inbox", notification[0].Text("channel"));
        Assert.Equal("rule", notification[0].Text("kind"));
        Assert.StartsWith("Quote Q-", notification[0].Text("title"));

        // The opportunity service consumed the command: the owner has the task on the deal.
        var activities = await Eventually.Until(() => alice.ActivitiesAsync(deal), a => a.Length == 1, TimeSpan.FromSeconds(30), "the follow-up activity exists");
        Assert.StartsWith("Follow up quote Q-", activities[0].Str("subject"));
        Assert.Equal(DemoUsers.AliceId, activities[0].Str("assigneeId"));
    }

    [Fact]
    public async Task A_quote_accepted_before_the_delay_is_skipped_with_its_reason_and_nothing_is_created()
    {
        var segment = $"smb-{Guid.NewGuid():N}";
        var rule = await automation.CreateRuleAsync(FollowUpAfterFiveSeconds(segment));
        using var alice = await automation.OpportunityClientAsync(DemoUsers.Alice);
        var deal = await alice.NewDealAsync("Quick yes", extra: new { segment });
        var quote = await alice.SendQuoteAsync(deal, 1200);
        (await alice.PostAsync($"/api/quotes/{quote}/accept", null)).EnsureSuccessStatusCode();

        var runs = await automation.RunsAsync(rule.Id(), r => r.Any(run => run.Id("opportunityId") == deal && run.Str("status") != "scheduled"));
        var run = Assert.Single(runs, r => r.Id("opportunityId") == deal);
        Assert.Equal("skipped", run.Str("status"));
        Assert.Matches(@"^Quote Q-\d+ was accepted meanwhile$", run.Str("reason"));
        Assert.Null(run.Str("firedAt"));

        Assert.Empty(automation.Events.Of("CreateFollowUpActivity", e => e.Guid("opportunityId") == deal));
        Assert.Empty(automation.Events.Of("SendNotification", e => e.Guid("correlationId") == ActionPlan.CorrelationId(run.Id(), 1)));
        Assert.Empty(await alice.ActivitiesAsync(deal));
    }

    [Fact]
    public async Task A_quote_of_9000_EUR_makes_no_run()
    {
        var segment = $"smb-{Guid.NewGuid():N}";
        var rule = await automation.CreateRuleAsync(FollowUpAfterFiveSeconds(segment));
        using var alice = await automation.OpportunityClientAsync(DemoUsers.Alice);
        var deal = await alice.NewDealAsync("Big ticket", extra: new { segment });
        var quote = await alice.SendQuoteAsync(deal, 9000);

        await WaitUntilQuoteKnownAsync(quote);
        Assert.Empty(await automation.RunsAsync(rule.Id(), _ => true));
    }

    [Fact]
    public async Task A_4000_USD_quote_worth_5200_EUR_at_the_organisations_rate_makes_no_run()
    {
        using var admin = await automation.OpportunityClientAsync(DemoUsers.AcmeAdmin);
        (await admin.PutAsJsonAsync("/api/exchange-rates", new
        {
            currency = "EUR", rates = new[] { new { currency = "USD", rate = 1.3m, effectiveFrom = "2020-01-01" } },
        })).EnsureSuccessStatusCode();
        await Eventually.Until(() => automation.InDatabaseAsync(DemoUsers.Acme, db => db.ExchangeRates.AnyAsync(r => r.Currency == "USD" && r.Rate == 1.3m)),
            TimeSpan.FromSeconds(30), "the rate is known to automation");
        var segment = $"smb-{Guid.NewGuid():N}";
        var rule = await automation.CreateRuleAsync(FollowUpAfterFiveSeconds(segment));
        using var alice = await automation.OpportunityClientAsync(DemoUsers.Alice);

        var dollars = await alice.NewDealAsync("Dollar deal", 4000, "USD", new { segment });
        var quote = await alice.SendQuoteAsync(dollars, 4000, "USD");
        // 3,000 USD is 3,900 EUR: below the threshold, so the rule does look at the rate.
        var smaller = await alice.NewDealAsync("Smaller dollar deal", 3000, "USD", new { segment });
        await alice.SendQuoteAsync(smaller, 3000, "USD");

        await WaitUntilQuoteKnownAsync(quote);
        var runs = await automation.RunsAsync(rule.Id(), r => r.Any(run => run.Id("opportunityId") == smaller));
        Assert.DoesNotContain(runs, r => r.Id("opportunityId") == dollars);

        using var explainer = await automation.ClientAsync(DemoUsers.Alice);
        var explanation = await (await explainer.GetAsync($"/api/automation/rules/{rule.Id()}/explain?opportunityId={dollars}")).ReadAsync();
        Assert.False(explanation.Bool("wouldFire"));
        var amount = explanation.GetProperty("conditions").EnumerateArray().First(c => c.Str("field") == "amount");
        Assert.False(amount.Bool("passed"));
        Assert.Equal("5,200 EUR (4,000 USD)", amount.Str("actual"));
        Assert.Equal(["amount would have to be below 5,000 EUR (it is 5,200 EUR (4,000 USD))."],
            explanation.GetProperty("wouldHaveToChange").EnumerateArray().Select(c => c.GetString()));
    }

    private Task WaitUntilQuoteKnownAsync(Guid quote) => Eventually.Until(
        () => automation.InDatabaseAsync(DemoUsers.Acme, db => db.Quotes.AnyAsync(q => q.QuoteId == quote && q.Status == QuoteStatus.Sent)),
        TimeSpan.FromSeconds(30), $"quote {quote} handled by automation");
}
