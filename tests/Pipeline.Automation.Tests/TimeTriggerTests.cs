using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Automation.Scheduling;
using Pipeline.Messaging.Organizations;
using Pipeline.Testing;

namespace Pipeline.Automation.Tests;

/// <summary>
/// Stale deals and near decision dates: found by the periodic pass, each deal firing once per episode however many
/// passes see it, and again only after it rots anew or its date moves. The service's clock is moved forward days.
/// </summary>
[Collection(AutomationCollection.Name)]
public sealed class TimeTriggerTests(AutomationServiceFixture automation) : IAsyncLifetime
{
    private TimeTriggers Passes => automation.Services.GetRequiredService<TimeTriggers>();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        automation.Clock.Reset();
        return Task.CompletedTask;
    }

    private static object Rule(string segment, object trigger) => new
    {
        name = $"Time {segment}", trigger,
        conditions = new[] { new { field = "segment", @operator = "eq", value = segment } },
        actions = new[] { new { type = "notify", recipients = new[] { "owner" } } },
    };

    [Fact]
    public async Task A_stale_deal_fires_once_per_episode_and_again_after_it_rots_anew()
    {
        var segment = $"stale-{Guid.NewGuid():N}";
        var rule = await automation.CreateRuleAsync(Rule(segment, new { type = "Stale", days = 3 }));
        using var alice = await automation.OpportunityClientAsync(DemoUsers.Alice);
        var deal = await alice.NewDealAsync("Gone quiet", extra: new { segment });
        await WaitUntilKnownAsync(deal);

        await Passes.SweepAsync(CancellationToken.None);
        Assert.Empty(await automation.RunsAsync(rule.Id(), _ => true));

        automation.Clock.Set(automation.Clock.GetUtcNow().AddDays(4));
        await Passes.SweepAsync(CancellationToken.None);
        await Passes.SweepAsync(CancellationToken.None);
        await Passes.SweepAsync(CancellationToken.None);
        var first = Assert.Single(await automation.RunsAsync(rule.Id(), r => r.Length > 0));
        Assert.Equal("fired", first.Str("status"));
        Assert.Matches(@"^No change or completed activity since \d{4}-\d\d-\d\d \(3 days or more in Qualification\); notified Alice Martin \(owner\)$", first.Str("reason"));

        // Back to today: someone works the deal, and it rots anew three days later.
        automation.Clock.Reset();
        (await alice.PatchAsJsonAsync($"/api/opportunities/{deal}", new { title = "Gone quiet, called back" })).EnsureSuccessStatusCode();
        await Eventually.Until(() => automation.InDatabaseAsync(DemoUsers.Acme, db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions
            .AnyAsync(db.Deals, d => d.OpportunityId == deal && d.Title == "Gone quiet, called back")), TimeSpan.FromSeconds(30), "the update is known");
        await Passes.SweepAsync(CancellationToken.None);
        Assert.Single(await automation.RunsAsync(rule.Id(), _ => true));

        automation.Clock.Set(automation.Clock.GetUtcNow().AddDays(4));
        await Passes.SweepAsync(CancellationToken.None);
        await Passes.SweepAsync(CancellationToken.None);
        Assert.Equal(2, (await automation.RunsAsync(rule.Id(), r => r.Length > 1)).Length);
    }

    [Fact]
    public async Task An_open_activity_due_in_the_future_keeps_a_deal_from_going_stale_until_it_is_due()
    {
        var segment = $"planned-{Guid.NewGuid():N}";
        var rule = await automation.CreateRuleAsync(Rule(segment, new { type = "Stale", days = 3 }));
        using var alice = await automation.OpportunityClientAsync(DemoUsers.Alice);
        var planned = await alice.NewDealAsync("Call planned", extra: new { segment });
        var idle = await alice.NewDealAsync("Nothing planned", extra: new { segment });
        (await alice.PostAsJsonAsync($"/api/opportunities/{planned}/activities", new
        {
            type = "call", subject = "Check in after their board meeting", dueAt = DateTimeOffset.UtcNow.AddDays(10),
        })).EnsureSuccessStatusCode();
        await Eventually.Until(() => automation.InDatabaseAsync(DemoUsers.Acme, db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions
            .AnyAsync(db.Activities, a => a.OpportunityId == planned)), TimeSpan.FromSeconds(30), "the planned call is known");
        await WaitUntilKnownAsync(idle);

        automation.Clock.Set(automation.Clock.GetUtcNow().AddDays(4));
        await Passes.SweepAsync(CancellationToken.None);
        var runs = await automation.RunsAsync(rule.Id(), r => r.Length > 0);
        Assert.Equal([idle], runs.Select(r => r.Id("opportunityId")));

        // The call's day passed and nobody completed it: now the deal is stale too.
        automation.Clock.Set(automation.Clock.GetUtcNow().AddDays(7));
        await Passes.SweepAsync(CancellationToken.None);
        runs = await automation.RunsAsync(rule.Id(), r => r.Length > 1);
        Assert.Equal(2, runs.Length);
        Assert.Contains(runs, r => r.Id("opportunityId") == planned);
    }

    [Fact]
    public async Task A_near_decision_date_fires_once_and_again_when_the_date_moves()
    {
        var segment = $"decision-{Guid.NewGuid():N}";
        var rule = await automation.CreateRuleAsync(Rule(segment, new { type = "DecisionDateApproaching", daysBefore = 7 }));
        var paris = OrganizationCalendar.For("Europe/Paris", 1);
        var today = paris.Today(TimeProvider.System);
        using var alice = await automation.OpportunityClientAsync(DemoUsers.Alice);
        var deal = await alice.NewDealAsync("Board decides", extra: new { segment, expectedDecisionDate = today.AddDays(20).ToString("yyyy-MM-dd") });
        await WaitUntilKnownAsync(deal);

        await Passes.SweepAsync(CancellationToken.None);
        Assert.Empty(await automation.RunsAsync(rule.Id(), _ => true));

        // Thirteen days on, at noon in Paris: the decision is in a week.
        automation.Clock.Set(paris.StartOf(today.AddDays(13)).AddHours(12));
        await Passes.SweepAsync(CancellationToken.None);
        await Passes.SweepAsync(CancellationToken.None);
        var run = Assert.Single(await automation.RunsAsync(rule.Id(), r => r.Length > 0));
        Assert.Equal($"Expected decision on {today.AddDays(20):yyyy-MM-dd}, in 7 days; notified Alice Martin (owner)", run.Str("reason"));

        // The customer postpones: a new date, a new reminder when it nears.
        automation.Clock.Reset();
        (await alice.PatchAsJsonAsync($"/api/opportunities/{deal}", new { expectedDecisionDate = today.AddDays(40).ToString("yyyy-MM-dd") })).EnsureSuccessStatusCode();
        await Eventually.Until(() => automation.InDatabaseAsync(DemoUsers.Acme, db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions
            .AnyAsync(db.Deals, d => d.OpportunityId == deal && d.ExpectedDecisionDate == today.AddDays(40))), TimeSpan.FromSeconds(30), "the new date is known");
        automation.Clock.Set(paris.StartOf(today.AddDays(35)).AddHours(12));
        await Passes.SweepAsync(CancellationToken.None);
        await Passes.SweepAsync(CancellationToken.None);
        var runs = await automation.RunsAsync(rule.Id(), r => r.Length > 1);
        Assert.Equal(2, runs.Length);
        Assert.Equal($"Expected decision on {today.AddDays(40):yyyy-MM-dd}, in 5 days; notified Alice Martin (owner)", runs[0].Str("reason"));
    }

    private Task WaitUntilKnownAsync(Guid deal) => Eventually.Until(
        () => automation.InDatabaseAsync(DemoUsers.Acme, db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions
            .AnyAsync(db.Deals, d => d.OpportunityId == deal && d.CreatedAt != null)),
        TimeSpan.FromSeconds(30), $"deal {deal} known to automation");
}
