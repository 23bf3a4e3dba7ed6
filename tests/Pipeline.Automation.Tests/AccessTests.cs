using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.Automation.Tests;

/// <summary>Runs and explanations: whoever may read a deal reads them; another team's deal is 403, another organisation's 404.</summary>
[Collection(AutomationCollection.Name)]
public sealed class AccessTests(AutomationServiceFixture automation)
{
    [Fact]
    public async Task Runs_and_explanations_follow_who_may_read_the_deal()
    {
        var segment = $"access-{Guid.NewGuid():N}";
        var rule = await automation.CreateRuleAsync(new
        {
            name = "Every new deal", trigger = new { type = "OpportunityCreated" },
            conditions = new[] { new { field = "segment", @operator = "eq", value = segment } },
            actions = new[] { new { type = "notify", recipients = new[] { "owner" } } },
        });
        using var carolDeals = await automation.OpportunityClientAsync(DemoUsers.Carol);
        using var aliceDeals = await automation.OpportunityClientAsync(DemoUsers.Alice);
        var west = await carolDeals.NewDealAsync("West deal", extra: new { segment });
        var east = await aliceDeals.NewDealAsync("East deal", extra: new { segment });
        await automation.RunsAsync(rule.Id(), r => r.Length == 2);

        using var alice = await automation.ClientAsync(DemoUsers.Alice);
        using var maria = await automation.ClientAsync(DemoUsers.Maria);
        using var eve = await automation.ClientAsync(DemoUsers.Eve);

        // Alice (East) sees her deal's run, not Carol's (West); asking for Carol's deal by name is refused.
        var aliceRuns = await (await alice.GetAsync($"/api/automation/runs?ruleId={rule.Id()}")).ReadAsync();
        Assert.Equal([east], aliceRuns.Items().Select(r => r.Id("opportunityId")));
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.GetAsync($"/api/automation/runs?opportunityId={west}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.GetAsync($"/api/automation/rules/{rule.Id()}/explain?opportunityId={west}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/api/automation/rules/{rule.Id()}/explain?opportunityId={east}")).StatusCode);
        // Maria manages East: the same view. The admin sees both.
        Assert.Equal([east], (await (await maria.GetAsync($"/api/automation/runs?ruleId={rule.Id()}")).ReadAsync()).Items().Select(r => r.Id("opportunityId")));
        var all = await automation.RunsAsync(rule.Id(), _ => true);
        Assert.Equal(2, all.Length);

        // Globex's admin: Acme's deals and rule do not exist.
        Assert.Equal(HttpStatusCode.NotFound, (await eve.GetAsync($"/api/automation/runs?opportunityId={east}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.GetAsync($"/api/automation/rules/{rule.Id()}/explain?opportunityId={east}")).StatusCode);
        Assert.DoesNotContain((await (await eve.GetAsync("/api/automation/runs?limit=200")).ReadAsync()).Items(), r => r.Id("ruleId") == rule.Id());
    }

    [Fact]
    public async Task Runs_are_paged_with_a_cursor()
    {
        var segment = $"paging-{Guid.NewGuid():N}";
        var rule = await automation.CreateRuleAsync(new
        {
            name = "Paged", trigger = new { type = "OpportunityCreated" },
            conditions = new[] { new { field = "segment", @operator = "eq", value = segment } },
            actions = new[] { new { type = "notify", recipients = new[] { "owner" } } },
        });
        using var deals = await automation.OpportunityClientAsync(DemoUsers.Alice);
        for (var i = 0; i < 5; i++)
        {
            await deals.NewDealAsync($"Paged {i}", extra: new { segment });
        }

        var all = await automation.RunsAsync(rule.Id(), r => r.Length == 5);
        using var admin = await automation.ClientAsync(DemoUsers.AcmeAdmin);
        var pages = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await (await admin.GetAsync($"/api/automation/runs?ruleId={rule.Id()}&limit=2" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"))).ReadAsync();
            pages.AddRange(page.Items());
            cursor = page.Str("nextCursor");
        }
        while (cursor is not null);

        // Page by page, the same runs as in one page, in the same order, each once.
        Assert.Equal(all.Select(r => r.Id()), pages.Select(r => r.Id()));
    }

    [Fact]
    public async Task Bad_list_and_explain_parameters_are_refused_naming_the_field()
    {
        var rule = await automation.CreateRuleAsync(new
        {
            name = "Any win", trigger = new { type = "OpportunityWon" }, actions = new[] { new { type = "notify", recipients = new[] { "owner" } } },
        });
        using var admin = await automation.ClientAsync(DemoUsers.AcmeAdmin);
        foreach (var (url, field) in new[]
        {
            ("/api/automation/runs?status=maybe", "status"),
            ("/api/automation/runs?limit=0", "limit"),
            ("/api/automation/runs?cursor=not-a-cursor", "cursor"),
            ("/api/automation/rules?limit=500", "limit"),
            ($"/api/automation/rules/{rule.Id()}/explain", "opportunityId"),
        })
        {
            var response = await admin.GetAsync(url);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(field, (await response.Content.ReadFromJsonAsync<JsonElement>()).ErrorFields());
        }
    }
}
