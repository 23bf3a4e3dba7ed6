using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.Opportunity.Tests;

/// <summary>A salesperson's deal from creation to decision, and the events every step publishes.</summary>
[Collection(OpportunityCollection.Name)]
public sealed class OpportunityLifecycleTests(OpportunityServiceFixture service)
{
    [Fact]
    public async Task Every_organisation_starts_with_the_default_pipeline_of_five_stages()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var pipelines = await (await alice.GetAsync("/api/pipelines")).ReadAsync<JsonElement[]>();
        var @default = Assert.Single(pipelines, p => p.GetProperty("isDefault").GetBoolean());
        var stages = @default.GetProperty("stages").EnumerateArray().Select(s => (s.Str("name"), s.Int("probability"))).ToArray();
        Assert.Equal(
            [("Qualification", 10), ("Discovery meeting", 25), ("Proposal", 50), ("Negotiation & follow-up", 75), ("Decision", 90)],
            stages);

        using var eve = await service.ClientAsync(DemoUsers.Eve);
        var globex = await (await eve.GetAsync("/api/pipelines")).ReadAsync<JsonElement[]>();
        Assert.DoesNotContain(globex, p => p.Id() == @default.Id());
    }

    [Fact]
    public async Task A_deal_is_created_in_the_first_stage_and_published_with_version_1()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var response = await alice.PostAsJsonAsync("/api/opportunities", NewDeal("Fleet renewal"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        var deal = await response.ReadAsync<JsonElement>();
        Assert.Equal("open", deal.Str("status"));
        Assert.Equal(10, deal.Int("probability"));
        Assert.Equal(DemoUsers.AliceId, deal.Str("ownerId"));
        Assert.Equal(DemoUsers.East.ToString(), deal.Str("teamId"));
        Assert.Equal(1, deal.Long("version"));

        var created = Assert.Single(await service.Events.WaitForAsync("OpportunityCreated", e => e.Guid("opportunityId") == deal.Id()));
        Assert.Equal("Fleet renewal", created.Text("title"));
        Assert.Equal("Qualification", created.Text("stageName"));
        Assert.Equal(1, created.Long("version"));
        Assert.Equal(DemoUsers.Acme, created.Guid("organizationId"));
        Assert.Equal(DemoUsers.AliceId, created.Text("actorId"));
    }

    [Fact]
    public async Task Moving_forward_backward_and_skipping_stages_is_recorded_and_published_in_version_order()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var stages = await StagesAsync(alice);
        var deal = await (await alice.PostAsJsonAsync("/api/opportunities", NewDeal("Stage walk"))).ReadAsync<JsonElement>();
        var id = deal.Id();

        await MoveAsync(alice, id, stages["Proposal"]);                 // skips Discovery meeting
        await MoveAsync(alice, id, stages["Discovery meeting"]);        // backward
        var last = await MoveAsync(alice, id, stages["Decision"]);

        Assert.Equal(4, last.Long("version"));
        Assert.Equal(90, last.Int("probability"));
        var moves = await service.Events.WaitForAsync("StageChanged", e => e.Guid("opportunityId") == id, count: 3);
        Assert.Equal([2L, 3L, 4L], moves.Select(m => m.Long("version")).Order());
        var byVersion = moves.OrderBy(m => m.Long("version")).ToArray();
        Assert.Equal(("Qualification", "Proposal"), (byVersion[0].Text("fromStageName"), byVersion[0].Text("toStageName")));
        Assert.Equal(("Proposal", "Discovery meeting"), (byVersion[1].Text("fromStageName"), byVersion[1].Text("toStageName")));
        Assert.Equal(50, byVersion[0].Message.GetProperty("probability").GetInt32());

        var history = (await (await alice.GetAsync($"/api/opportunities/{id}/history")).ReadAsync<JsonElement>()).Items();
        var stageMoves = history.Where(h => h.Str("kind") == "stage").ToArray();
        Assert.Equal(["Proposal", "Discovery meeting", "Decision"], stageMoves.Select(h => h.Str("newValue")));
        Assert.All(stageMoves, h => Assert.Equal(DemoUsers.AliceId, h.Str("actorId")));
        Assert.All(stageMoves, h => Assert.True(h.GetProperty("secondsInPreviousStage").GetDouble() >= 0));
    }

    [Fact]
    public async Task A_deal_is_won_lost_and_reopened_with_its_events()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var won = await (await alice.PostAsJsonAsync("/api/opportunities", NewDeal("To win"))).ReadAsync<JsonElement>();
        var lost = await (await alice.PostAsJsonAsync("/api/opportunities", NewDeal("To lose"))).ReadAsync<JsonElement>();

        var afterWin = await (await alice.PostAsync($"/api/opportunities/{won.Id()}/win", null)).ReadAsync<JsonElement>();
        Assert.Equal("won", afterWin.Str("status"));
        Assert.NotNull(afterWin.Str("closedAt"));

        var noReason = await alice.PostAsJsonAsync($"/api/opportunities/{lost.Id()}/lose", new { reason = "" });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        var afterLoss = await (await alice.PostAsJsonAsync($"/api/opportunities/{lost.Id()}/lose", new { reason = "Price too high" })).ReadAsync<JsonElement>();
        Assert.Equal("lost", afterLoss.Str("status"));
        Assert.Equal("Price too high", afterLoss.Str("lostReason"));

        var stages = await StagesAsync(alice);
        var moveClosed = await alice.PostAsJsonAsync($"/api/opportunities/{lost.Id()}/stage", new { stageId = stages["Proposal"] });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, moveClosed.StatusCode);
        var winTwice = await alice.PostAsync($"/api/opportunities/{won.Id()}/win", null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, winTwice.StatusCode);

        var reopened = await (await alice.PostAsync($"/api/opportunities/{lost.Id()}/reopen", null)).ReadAsync<JsonElement>();
        Assert.Equal("open", reopened.Str("status"));
        Assert.Null(reopened.Str("lostReason"));

        Assert.Single(await service.Events.WaitForAsync("OpportunityWon", e => e.Guid("opportunityId") == won.Id()));
        var lostEvent = Assert.Single(await service.Events.WaitForAsync("OpportunityLost", e => e.Guid("opportunityId") == lost.Id()));
        Assert.Equal("Price too high", lostEvent.Text("reason"));
        var reopenedEvent = Assert.Single(await service.Events.WaitForAsync("OpportunityReopened", e => e.Guid("opportunityId") == lost.Id()));
        Assert.Equal("lost", reopenedEvent.Text("previousStatus"));
        Assert.Equal(3, reopenedEvent.Long("version"));
    }

    [Fact]
    public async Task A_patch_changes_only_the_fields_sent_records_old_and_new_and_publishes_a_decision_date_push()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var deal = await (await alice.PostAsJsonAsync("/api/opportunities", NewDeal("Patched", decision: "2031-01-15"))).ReadAsync<JsonElement>();

        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/opportunities/{deal.Id()}")
        {
            Content = JsonContent.Create(new { amount = 15000, expectedDecisionDate = "2031-03-31", probability = 60 }),
        };
        request.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));
        var patched = await (await alice.SendAsync(request)).ReadAsync<JsonElement>();

        Assert.Equal(15000m, patched.Dec("amount"));
        Assert.Equal("Patched", patched.Str("title"));
        Assert.Equal(60, patched.Int("probability"));
        Assert.Equal(2, patched.Long("version"));

        var updated = Assert.Single(await service.Events.WaitForAsync("OpportunityUpdated", e => e.Guid("opportunityId") == deal.Id()));
        var changed = updated.Message.GetProperty("changes").EnumerateArray().ToDictionary(c => c.Str("field")!, c => (c.Str("oldValue"), c.Str("newValue")));
        Assert.Equal(("12000", "15000"), changed["amount"]);
        Assert.Equal(("2031-01-15", "2031-03-31"), changed["expectedDecisionDate"]);
        Assert.False(changed.ContainsKey("title"));
        var push = Assert.Single(await service.Events.WaitForAsync("DecisionDateChanged", e => e.Guid("opportunityId") == deal.Id()));
        Assert.True(push.Message.GetProperty("isPush").GetBoolean());

        // Back to the stage's probability.
        var reset = await (await alice.PatchAsJsonAsync($"/api/opportunities/{deal.Id()}", new { probability = (int?)null })).ReadAsync<JsonElement>();
        Assert.Equal(10, reset.Int("probability"));
    }

    [Fact]
    public async Task A_stale_if_match_is_refused_with_412_and_changes_nothing()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var deal = await (await alice.PostAsJsonAsync("/api/opportunities", NewDeal("Stale"))).ReadAsync<JsonElement>();
        await alice.PatchAsJsonAsync($"/api/opportunities/{deal.Id()}", new { amount = 1 });

        var stale = new HttpRequestMessage(HttpMethod.Patch, $"/api/opportunities/{deal.Id()}") { Content = JsonContent.Create(new { amount = 2 }) };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));
        var response = await alice.SendAsync(stale);
        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);

        var move = new HttpRequestMessage(HttpMethod.Post, $"/api/opportunities/{deal.Id()}/stage")
        {
            Content = JsonContent.Create(new { stageId = (await StagesAsync(alice))["Proposal"] }),
        };
        move.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await alice.SendAsync(move)).StatusCode);

        var current = await (await alice.GetAsync($"/api/opportunities/{deal.Id()}")).ReadAsync<JsonElement>();
        Assert.Equal(1m, current.Dec("amount"));
        Assert.Equal(2, current.Long("version"));
    }

    [Fact]
    public async Task A_hundred_parallel_updates_end_as_successes_and_conflicts_with_no_update_lost()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var deal = await (await alice.PostAsJsonAsync("/api/opportunities", NewDeal("Contended"))).ReadAsync<JsonElement>();

        var outcomes = await Task.WhenAll(Enumerable.Range(1, 100).Select(async i =>
        {
            var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/opportunities/{deal.Id()}") { Content = JsonContent.Create(new { amount = i }) };
            request.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));
            return (await alice.SendAsync(request)).StatusCode;
        }));

        var succeeded = outcomes.Count(s => s == HttpStatusCode.OK);
        var refused = outcomes.Count(s => s is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict);
        Assert.Equal(100, succeeded + refused);
        Assert.Equal(1, succeeded);

        // Without If-Match, everyone retries on conflict: every update lands, each on its own version.
        var unconditional = await Task.WhenAll(Enumerable.Range(1, 20).Select(async _ =>
        {
            for (var attempt = 0; ; attempt++)
            {
                var response = await alice.PatchAsJsonAsync($"/api/opportunities/{deal.Id()}", new { title = $"Contended {Guid.NewGuid():N}" });
                if (response.StatusCode != HttpStatusCode.Conflict || attempt > 50)
                {
                    return response.StatusCode;
                }
            }
        }));
        Assert.All(unconditional, s => Assert.Equal(HttpStatusCode.OK, s));
        var final = await (await alice.GetAsync($"/api/opportunities/{deal.Id()}")).ReadAsync<JsonElement>();
        Assert.Equal(2 + 20, final.Long("version"));
        var versions = (await service.Events.WaitForAsync("OpportunityUpdated", e => e.Guid("opportunityId") == deal.Id(), count: 21))
            .Select(e => e.Long("version")).Order().ToArray();
        Assert.Equal(Enumerable.Range(2, 21).Select(v => (long)v), versions);
    }

    [Fact]
    public async Task The_organisations_event_history_replays_every_change_in_order_for_admins_only()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        using var admin = await service.ClientAsync(DemoUsers.AcmeAdmin);
        using var eve = await service.ClientAsync(DemoUsers.Eve);
        var deal = await (await alice.PostAsJsonAsync("/api/opportunities", NewDeal("Replayed"))).ReadAsync<JsonElement>();
        await alice.PostAsJsonAsync($"/api/opportunities/{deal.Id()}/stage", new { stageId = (await StagesAsync(alice))["Proposal"] });
        await alice.PostAsync($"/api/opportunities/{deal.Id()}/win", null);

        Assert.Equal(HttpStatusCode.Forbidden, (await alice.GetAsync("/api/opportunity/events")).StatusCode);
        var history = new List<JsonElement>();
        string? after = null;
        do
        {
            var page = await (await admin.GetAsync("/api/opportunity/events?limit=50" + (after is null ? "" : $"&after={after}"))).ReadAsync<JsonElement>();
            history.AddRange(page.Items());
            after = page.Str("nextCursor");
        }
        while (after is not null);

        var sequences = history.Select(e => e.Long("sequence")).ToArray();
        Assert.Equal(sequences.Order(), sequences);
        var ofDeal = history.Where(e => e.GetProperty("message").TryGetProperty("opportunityId", out var id) && id.GetGuid() == deal.Id()).ToArray();
        Assert.Equal(["OpportunityCreated", "StageChanged", "OpportunityWon"], ofDeal.Select(e => e.Str("type")));
        Assert.Equal([1L, 2L, 3L], ofDeal.Select(e => e.GetProperty("message").GetProperty("version").GetInt64()));

        var globexHistory = await (await eve.GetAsync("/api/opportunity/events?limit=5000")).ReadAsync<JsonElement>();
        Assert.DoesNotContain(globexHistory.Items(), e => e.GetProperty("message").TryGetProperty("opportunityId", out var id) && id.GetGuid() == deal.Id());
    }

    public static object NewDeal(string title, decimal amount = 12000, string currency = "EUR", string? decision = "2031-06-30", string? ownerId = null, Guid? stageId = null) => new
    {
        title, accountName = "Initech", contactName = "Peter Gibbons", contactEmail = "peter@initech.test", amount, currency,
        expectedDecisionDate = decision, source = "inbound", segment = "mid-market", ownerId, stageId,
    };

    public static async Task<Dictionary<string, Guid>> StagesAsync(HttpClient client)
    {
        var pipelines = await (await client.GetAsync("/api/pipelines")).ReadAsync<JsonElement[]>();
        return pipelines.Single(p => p.GetProperty("isDefault").GetBoolean()).GetProperty("stages").EnumerateArray()
            .ToDictionary(s => s.Str("name")!, s => s.Id());
    }

    private static async Task<JsonElement> MoveAsync(HttpClient client, Guid id, Guid stageId) =>
        await (await client.PostAsJsonAsync($"/api/opportunities/{id}/stage", new { stageId })).ReadAsync<JsonElement>();
}
