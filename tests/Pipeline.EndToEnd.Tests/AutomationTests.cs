using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.EndToEnd.Tests;

/// <summary>Automation through the gateway with every real service: a rule's follow-up lands on the deal; the seeded alert; a simulation.</summary>
[Collection(PipelineCollection.Name)]
public sealed class AutomationTests(PipelineApp pipeline)
{
    [Fact]
    public async Task A_quote_sent_below_the_threshold_and_left_unanswered_gets_its_follow_up_activity_on_the_deal()
    {
        var segment = $"e2e-{Guid.NewGuid():N}";
        var rule = await SendAsync<JsonElement>(HttpMethod.Post, "/api/automation/rules", Tokens.AcmeAdmin, new
        {
            name = "Follow up small quotes after 5 s",
            trigger = new { type = "QuoteSent" },
            conditions = new object[] { new { field = "amount", @operator = "lt", value = 5000 }, new { field = "segment", @operator = "eq", value = segment } },
            delay = "PT5S",
            actions = new object[]
            {
                new { type = "createActivity", activityType = "task", subject = "Follow up quote {quoteNumber}", dueIn = "P1D" },
                new { type = "notify", recipients = new[] { "owner" } },
            },
        });
        var deal = await SendAsync<JsonElement>(HttpMethod.Post, "/api/opportunities", Tokens.Alice,
            new { title = "Fleet renewal", accountName = "Initech", amount = 1200, currency = "EUR", segment });
        var quote = await SendAsync<JsonElement>(HttpMethod.Post, $"/api/opportunities/{deal.GetProperty("id")}/quotes", Tokens.Alice, new { amount = 1200, currency = "EUR" });
        await SendAsync<JsonElement>(HttpMethod.Post, $"/api/quotes/{quote.GetProperty("id")}/send", Tokens.Alice);

        var activities = await Eventually.Until(
            async () => (await SendAsync<JsonElement>(HttpMethod.Get, $"/api/opportunities/{deal.GetProperty("id")}/activities", Tokens.Alice))
                .GetProperty("items").EnumerateArray().ToList(),
            items => items.Count > 0, TimeSpan.FromSeconds(60), "the follow-up activity is on the deal");
        var activity = Assert.Single(activities);
        Assert.Equal($"Follow up quote {quote.GetProperty("number").GetString()}", activity.GetProperty("subject").GetString());
        Assert.Equal("task", activity.GetProperty("type").GetString());

        var runs = await SendAsync<JsonElement>(HttpMethod.Get, $"/api/automation/runs?ruleId={rule.GetProperty("id")}", Tokens.Alice);
        var run = Assert.Single(runs.GetProperty("items").EnumerateArray());
        Assert.Equal("fired", run.GetProperty("status").GetString());
        Assert.EndsWith("notified Alice Martin (owner)", run.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Moving_a_deal_of_team_East_to_negotiation_fires_the_seeded_alert_for_its_manager()
    {
        var pipelines = await SendAsync<JsonElement[]>(HttpMethod.Get, "/api/pipelines", Tokens.Alice);
        var stages = pipelines.Single(p => p.GetProperty("isDefault").GetBoolean()).GetProperty("stages").EnumerateArray()
            .ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("id").GetGuid());
        var deal = await SendAsync<JsonElement>(HttpMethod.Post, "/api/opportunities", Tokens.Alice,
            new { title = "Warehouse robots", accountName = "Initrode", amount = 48000, currency = "EUR" });
        await SendAsync<JsonElement>(HttpMethod.Post, $"/api/opportunities/{deal.GetProperty("id")}/stage", Tokens.Alice, new { stageId = stages["Negotiation & follow-up"] });

        // Maria reads her team's deals' runs: the alert fired for her, and for nobody else. (Until automation has the
        // deal's first event, the deal is not found there.)
        var run = await Eventually.Until(async () =>
            {
                var response = await pipeline.Gateway.SendAsync(await pipeline.Tokens.AuthorizedAsync(
                    HttpMethod.Get, $"/api/automation/runs?opportunityId={deal.GetProperty("id")}", Tokens.Maria));
                return response.StatusCode == HttpStatusCode.NotFound
                    ? default
                    : (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()
                        .FirstOrDefault(r => r.GetProperty("ruleName").GetString() == "Negotiation alert");
            },
            r => r.ValueKind == JsonValueKind.Object && r.GetProperty("status").GetString() == "fired", TimeSpan.FromSeconds(60), "the negotiation alert fired");
        Assert.Equal("Moved from Qualification to Negotiation & follow-up; notified Maria Lopez (manager of East)", run.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task An_admin_simulates_the_seeded_quote_follow_up_over_the_demo_history()
    {
        var rules = await SendAsync<JsonElement>(HttpMethod.Get, "/api/automation/rules?limit=200", Tokens.AcmeAdmin);
        var followUp = rules.GetProperty("items").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "Quote follow-up");

        var simulated = await SendAsync<JsonElement>(HttpMethod.Post, "/api/automation/rules/simulate", Tokens.AcmeAdmin, new
        {
            ruleId = followUp.GetProperty("id").GetGuid(), from = DateTimeOffset.UtcNow.AddYears(-1), to = DateTimeOffset.UtcNow,
        });

        // The whole history was replayed (every demo deal at least was created), and the demo deals' journeys hold
        // quotes sent in the last year: each made a run, with its reason.
        Assert.True(simulated.GetProperty("eventsRead").GetInt32() > DemoDataTests.OpenDeals + DemoDataTests.WonDeals + DemoDataTests.LostDeals);
        Assert.NotEmpty(simulated.GetProperty("items").EnumerateArray());
        Assert.All(simulated.GetProperty("items").EnumerateArray(), item => Assert.False(string.IsNullOrEmpty(item.GetProperty("reason").GetString())));

        var refused = await pipeline.Gateway.SendAsync(await pipeline.Tokens.AuthorizedAsync(HttpMethod.Post, "/api/automation/rules/simulate", Tokens.Alice,
            new { ruleId = followUp.GetProperty("id").GetGuid(), from = DateTimeOffset.UtcNow.AddYears(-1), to = DateTimeOffset.UtcNow }));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string url, string user, object? body = null)
    {
        var response = await pipeline.Gateway.SendAsync(await pipeline.Tokens.AuthorizedAsync(method, url, user, body));
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return (await response.Content.ReadFromJsonAsync<T>())!;
    }
}
