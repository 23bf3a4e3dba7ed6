using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Automation.Scheduling;
using Pipeline.Testing;

namespace Pipeline.Automation.Tests;

/// <summary>
/// "What would this rule have done?": the organisation's recorded events replayed through a rule with no side
/// effect, agreeing with what the live path did with the same events.
/// </summary>
[Collection(AutomationCollection.Name)]
public sealed class SimulationTests(AutomationServiceFixture automation) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        automation.Clock.Reset();
        return Task.CompletedTask;
    }

    private static object FollowUp(string segment) => new
    {
        name = $"Simulated follow-up {segment}",
        trigger = new { type = "QuoteSent" },
        conditions = new object[] { new { field = "amount", @operator = "lt", value = 5000 }, new { field = "segment", @operator = "eq", value = segment } },
        delay = "PT3S",
        actions = new object[]
        {
            new { type = "createActivity", activityType = "task", subject = "Follow up quote {quoteNumber}" },
            new { type = "notify", recipients = new[] { "owner" } },
        },
    };

    [Fact]
    public async Task A_scenario_simulated_over_its_period_gives_the_live_counts_and_reasons_and_changes_nothing()
    {
        var segment = $"sim-{Guid.NewGuid():N}";
        var body = FollowUp(segment);
        var rule = await automation.CreateRuleAsync(body);
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);
        using var alice = await automation.OpportunityClientAsync(DemoUsers.Alice);
        var unanswered = await alice.NewDealAsync("Unanswered", extra: new { segment });
        await alice.SendQuoteAsync(unanswered, 1200);
        var accepted = await alice.NewDealAsync("Accepted", extra: new { segment });
        (await alice.PostAsync($"/api/quotes/{await alice.SendQuoteAsync(accepted, 1500)}/accept", null)).EnsureSuccessStatusCode();
        var tooBig = await alice.NewDealAsync("Too big", extra: new { segment });
        await alice.SendQuoteAsync(tooBig, 9000);
        var won = await alice.NewDealAsync("Won meanwhile", extra: new { segment });
        await alice.SendQuoteAsync(won, 2000);
        (await alice.PostAsync($"/api/opportunities/{won}/win", null)).EnsureSuccessStatusCode();

        var live = await automation.RunsAsync(rule.Id(), r => r.Length == 3 && r.All(run => run.Str("status") != "scheduled"));
        var to = DateTimeOffset.UtcNow;
        var activitiesBefore = automation.Events.Of("CreateFollowUpActivity").Count;

        using var admin = await automation.ClientAsync(DemoUsers.AcmeAdmin);
        var simulated = await (await admin.PostAsJsonAsync("/api/automation/rules/simulate", new { rule = body, from, to })).ReadAsync();

        Assert.Equal((1, 2, 0, 0), (simulated.Int("fired"), simulated.Int("skipped"), simulated.Int("failed"), simulated.Int("scheduled")));
        Assert.Equal(
            live.Select(r => (r.Id("opportunityId"), r.Str("status"), r.Str("reason"))).OrderBy(r => r.Item1),
            simulated.Items().Select(i => (i.Id("opportunityId"), i.Str("status"), i.Str("reason"))).OrderBy(r => r.Item1));
        Assert.Contains(simulated.Items(), i => i.Id("opportunityId") == unanswered && i.Str("title") == "Unanswered");
        Assert.Contains(simulated.Items(), i => i.Str("reason") == "The opportunity was won meanwhile");

        // The saved rule, by id, over the same period: the same answer. Before the scenario: nothing.
        var byId = await (await admin.PostAsJsonAsync("/api/automation/rules/simulate", new { ruleId = rule.Id(), from, to })).ReadAsync();
        Assert.Equal((1, 2), (byId.Int("fired"), byId.Int("skipped")));
        var before = await (await admin.PostAsJsonAsync("/api/automation/rules/simulate", new { rule = body, from = from.AddHours(-1), to = from })).ReadAsync();
        Assert.Empty(before.Items());

        // No side effect: no command was sent, no run recorded.
        Assert.Equal(activitiesBefore, automation.Events.Of("CreateFollowUpActivity").Count);
        Assert.Equal(3, (await automation.RunsAsync(rule.Id(), _ => true)).Length);
    }

    [Fact]
    public async Task A_stale_rule_simulated_over_the_days_a_deal_went_quiet_agrees_with_the_live_pass()
    {
        var segment = $"sim-stale-{Guid.NewGuid():N}";
        var body = new
        {
            name = "Quiet deals", trigger = new { type = "Stale", days = 3 },
            conditions = new[] { new { field = "segment", @operator = "eq", value = segment } },
            actions = new[] { new { type = "notify", recipients = new[] { "owner" } } },
        };
        var rule = await automation.CreateRuleAsync(body);
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);
        using var alice = await automation.OpportunityClientAsync(DemoUsers.Alice);
        var quiet = await alice.NewDealAsync("Quiet", extra: new { segment });
        var busy = await alice.NewDealAsync("Busy", extra: new { segment });
        var call = (await (await alice.PostAsJsonAsync($"/api/opportunities/{busy}/activities", new { type = "call", subject = "Call", dueAt = DateTimeOffset.UtcNow.AddDays(1) })).ReadAsync()).Id();
        (await alice.PostAsync($"/api/activities/{call}/complete", null)).EnsureSuccessStatusCode();
        await Eventually.Until(() => automation.InDatabaseAsync(DemoUsers.Acme, db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions
            .CountAsync(db.Activities, a => a.OpportunityId == busy && a.Done)), n => n == 1, TimeSpan.FromSeconds(30), "the completed call is known");

        automation.Clock.Set(automation.Clock.GetUtcNow().AddDays(4));
        await automation.Services.GetRequiredService<TimeTriggers>().SweepAsync(CancellationToken.None);
        var live = await automation.RunsAsync(rule.Id(), r => r.Length == 2);
        var to = automation.Clock.GetUtcNow();

        using var admin = await automation.ClientAsync(DemoUsers.AcmeAdmin);
        var simulated = await (await admin.PostAsJsonAsync("/api/automation/rules/simulate", new { rule = body, from, to })).ReadAsync();
        Assert.Equal(2, simulated.Int("fired"));
        Assert.Equal(
            live.Select(r => (r.Id("opportunityId"), r.Str("reason"))).OrderBy(r => r.Item1),
            simulated.Items().Select(i => (i.Id("opportunityId"), i.Str("reason"))).OrderBy(r => r.Item1));
        // The simulation knows when each went stale: the quiet one three days after its creation.
        var quietRun = simulated.Items().Single(i => i.Id("opportunityId") == quiet);
        Assert.InRange(quietRun.GetProperty("triggeredAt").GetDateTimeOffset(), from.AddDays(3), from.AddDays(3).AddMinutes(2));
    }

    [Fact]
    public async Task A_bad_simulation_request_is_refused_naming_the_field()
    {
        using var admin = await automation.ClientAsync(DemoUsers.AcmeAdmin);
        var now = DateTimeOffset.UtcNow;
        var cases = new (object Body, string Field, HttpStatusCode Status)[]
        {
            (new { rule = FollowUp("x"), to = now }, "from", HttpStatusCode.BadRequest),
            (new { rule = FollowUp("x"), from = now, to = now.AddDays(-1) }, "to", HttpStatusCode.BadRequest),
            (new { from = now.AddDays(-1), to = now }, "rule", HttpStatusCode.BadRequest),
            (new { rule = new { name = "x", trigger = new { type = "Whenever" }, actions = new[] { new { type = "emailContact" } } }, from = now.AddDays(-1), to = now },
                "rule.trigger.type", HttpStatusCode.BadRequest),
            (new { rule = new { name = "x", trigger = new { type = "StageChanged", toStageId = Guid.NewGuid() }, actions = new[] { new { type = "emailContact" } } },
                from = now.AddDays(-1), to = now }, "rule.trigger.toStageId", HttpStatusCode.UnprocessableEntity),
        };
        foreach (var (body, field, status) in cases)
        {
            var response = await admin.PostAsJsonAsync("/api/automation/rules/simulate", body);
            Assert.Equal(status, response.StatusCode);
            Assert.Contains(field, (await response.Content.ReadFromJsonAsync<JsonElement>()).ErrorFields());
        }
    }
}
