using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Testing;
using static Pipeline.Opportunity.Tests.OpportunityLifecycleTests;

namespace Pipeline.Opportunity.Tests;

/// <summary>Who may do what (SPEC §1), and bad input answered with problem details that name each bad field.</summary>
[Collection(OpportunityCollection.Name)]
public sealed class OpportunityRulesTests(OpportunityServiceFixture service)
{
    [Fact]
    public async Task A_rep_reads_the_teams_deals_but_changes_only_their_own()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        using var bob = await service.ClientAsync(DemoUsers.Bob);
        using var carol = await service.ClientAsync(DemoUsers.Carol);
        var alicesDeal = await (await alice.PostAsJsonAsync("/api/opportunities", NewDeal("Alice's deal"))).ReadAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync($"/api/opportunities/{alicesDeal.Id()}")).StatusCode);
        var bobChanges = await bob.PatchAsJsonAsync($"/api/opportunities/{alicesDeal.Id()}", new { amount = 1 });
        Assert.Equal(HttpStatusCode.Forbidden, bobChanges.StatusCode);
        Assert.Equal("application/problem+json", bobChanges.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.PostAsync($"/api/opportunities/{alicesDeal.Id()}/win", null)).StatusCode);

        // Carol is in another team: she neither reads nor changes it, and her lists do not show it.
        Assert.Equal(HttpStatusCode.Forbidden, (await carol.GetAsync($"/api/opportunities/{alicesDeal.Id()}")).StatusCode);
        var carolsList = await (await carol.GetAsync("/api/opportunities?limit=200")).ReadAsync<JsonElement>();
        Assert.DoesNotContain(carolsList.Items(), o => o.Id() == alicesDeal.Id());
    }

    [Fact]
    public async Task A_manager_changes_the_teams_deals_and_assigns_within_the_team()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        using var maria = await service.ClientAsync(DemoUsers.Maria);
        var deal = await (await alice.PostAsJsonAsync("/api/opportunities", NewDeal("Reassigned"))).ReadAsync<JsonElement>();

        var reassigned = await (await maria.PatchAsJsonAsync($"/api/opportunities/{deal.Id()}", new { ownerId = DemoUsers.BobId })).ReadAsync<JsonElement>();
        Assert.Equal(DemoUsers.BobId, reassigned.Str("ownerId"));
        Assert.Equal(DemoUsers.East.ToString(), reassigned.Str("teamId"));

        // Carol is in West: Maria manages East only.
        var toCarol = await maria.PatchAsJsonAsync($"/api/opportunities/{deal.Id()}", new { ownerId = DemoUsers.CarolId });
        Assert.Equal(HttpStatusCode.Forbidden, toCarol.StatusCode);

        // A rep cannot hand a new deal to someone else.
        var forBob = await alice.PostAsJsonAsync("/api/opportunities", NewDeal("For Bob", ownerId: DemoUsers.BobId));
        Assert.Equal(HttpStatusCode.Forbidden, forBob.StatusCode);
    }

    [Fact]
    public async Task Another_organisations_deal_is_not_found_and_cannot_be_touched()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        using var eve = await service.ClientAsync(DemoUsers.Eve);
        var deal = await (await alice.PostAsJsonAsync("/api/opportunities", NewDeal("Acme only"))).ReadAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.NotFound, (await eve.GetAsync($"/api/opportunities/{deal.Id()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.PatchAsJsonAsync($"/api/opportunities/{deal.Id()}", new { amount = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.PostAsync($"/api/opportunities/{deal.Id()}/win", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.GetAsync($"/api/opportunities/{deal.Id()}/history")).StatusCode);

        // Nor can an Acme stage be used from Globex.
        var acmeStages = await StagesAsync(alice);
        var globexDeal = await eve.PostAsJsonAsync("/api/opportunities", NewDeal("Sneaky", currency: "USD", stageId: acmeStages["Proposal"]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, globexDeal.StatusCode);
    }

    [Fact]
    public async Task Bad_input_is_answered_400_naming_each_bad_field()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        var response = await alice.PostAsJsonAsync("/api/opportunities", new
        {
            title = new string('x', 201), amount = -5, currency = "XYZ", contactEmail = "not-an-email", expectedDecisionDate = "2001-01-01", probability = 130,
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "title", "amount", "currency", "contactEmail", "expectedDecisionDate", "probability" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"{field} is named");
        }

        var notJson = await alice.PostAsync("/api/opportunities", new StringContent("{ not json", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal("application/problem+json", notJson.Content.Headers.ContentType?.MediaType);

        var deal = await (await alice.PostAsJsonAsync("/api/opportunities", NewDeal("Valid"))).ReadAsync<JsonElement>();
        var badPatch = await alice.PatchAsJsonAsync($"/api/opportunities/{deal.Id()}", new { version = 99, status = "won", amount = "lots" });
        var patchErrors = (await badPatch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(HttpStatusCode.BadRequest, badPatch.StatusCode);
        Assert.True(patchErrors.TryGetProperty("version", out _) && patchErrors.TryGetProperty("status", out _) && patchErrors.TryGetProperty("amount", out _));

        var pastDecision = await alice.PatchAsJsonAsync($"/api/opportunities/{deal.Id()}", new { expectedDecisionDate = "2001-01-01" });
        Assert.Equal(HttpStatusCode.BadRequest, pastDecision.StatusCode);

        Assert.Equal(HttpStatusCode.BadRequest, (await alice.GetAsync("/api/opportunities?limit=500")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await alice.GetAsync("/api/opportunities?cursor=garbage")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await alice.GetAsync("/api/opportunities?sort=color")).StatusCode);
    }

    [Fact]
    public async Task Moving_to_a_stage_of_another_pipeline_is_refused_with_422()
    {
        using var admin = await service.ClientAsync(DemoUsers.AcmeAdmin);
        var renewals = await (await admin.PostAsJsonAsync("/api/pipelines", new
        {
            name = $"Renewals {Guid.NewGuid():N}",
            stages = new[] { new { name = "Due", probability = 60, rottingDays = 30 }, new { name = "Signed", probability = 95, rottingDays = 30 } },
        })).ReadAsync<JsonElement>();
        var renewalStage = renewals.GetProperty("stages")[0].Id();

        var deal = await (await admin.PostAsJsonAsync("/api/opportunities", NewDeal("Default pipeline deal"))).ReadAsync<JsonElement>();
        var move = await admin.PostAsJsonAsync($"/api/opportunities/{deal.Id()}/stage", new { stageId = renewalStage });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, move.StatusCode);
        Assert.True((await move.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("stageId", out _));

        var created = await (await admin.PostAsJsonAsync("/api/opportunities", new
        {
            title = "Renewal deal", amount = 500, currency = "EUR", pipelineId = renewals.Id(), stageId = renewalStage,
        })).ReadAsync<JsonElement>();
        Assert.Equal(60, created.Int("probability"));
    }

    [Fact]
    public async Task Only_admins_configure_pipelines_and_a_stage_holding_deals_is_removed_only_by_naming_where_they_go()
    {
        using var alice = await service.ClientAsync(DemoUsers.Alice);
        using var admin = await service.ClientAsync(DemoUsers.AcmeAdmin);
        var request = new
        {
            name = $"Partners {Guid.NewGuid():N}",
            stages = new[] { new { name = "Lead", probability = 10, rottingDays = 7 }, new { name = "Pitch", probability = 40, rottingDays = 14 } },
        };
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.PostAsJsonAsync("/api/pipelines", request)).StatusCode);
        var pipeline = await (await admin.PostAsJsonAsync("/api/pipelines", request)).ReadAsync<JsonElement>();
        var lead = pipeline.GetProperty("stages")[0].Id();
        var pitch = pipeline.GetProperty("stages")[1].Id();
        var deal = await (await alice.PostAsJsonAsync("/api/opportunities", new { title = "Partner deal", amount = 100, currency = "EUR", pipelineId = pipeline.Id(), stageId = lead })).ReadAsync<JsonElement>();

        // Reorder, rename, add a stage, drop "Lead" without saying where its deal goes: refused.
        var withoutTarget = await admin.PutAsJsonAsync($"/api/pipelines/{pipeline.Id()}", new
        {
            name = "Partners", stages = new object[] { new { id = pitch, name = "Pitch deck", probability = 45 }, new { name = "Contract", probability = 80 } },
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, withoutTarget.StatusCode);

        var updated = await (await admin.PutAsJsonAsync($"/api/pipelines/{pipeline.Id()}", new
        {
            name = "Partners",
            stages = new object[] { new { id = pitch, name = "Pitch deck", probability = 45 }, new { name = "Contract", probability = 80 } },
            reassign = new Dictionary<Guid, Guid> { [lead] = pitch },
        })).ReadAsync<JsonElement>();
        Assert.Equal(["Pitch deck", "Contract"], updated.GetProperty("stages").EnumerateArray().Select(s => s.Str("name")));

        var moved = await (await alice.GetAsync($"/api/opportunities/{deal.Id()}")).ReadAsync<JsonElement>();
        Assert.Equal(pitch, moved.Id("stageId"));
        Assert.Equal(45, moved.Int("probability"));
        await service.Events.WaitForAsync("StageChanged", e => e.Guid("opportunityId") == deal.Id());
        var changed = await service.Events.WaitForAsync("PipelineChanged", e => e.Guid("pipelineId") == pipeline.Id(), count: 2);
        Assert.Contains(changed, e => e.Message.GetProperty("stages").GetArrayLength() == 2 && e.Message.GetProperty("stages")[0].GetProperty("name").GetString() == "Pitch deck");

        var invalid = await admin.PutAsJsonAsync($"/api/pipelines/{pipeline.Id()}", new { name = "", stages = new[] { new { name = "X", probability = 150 } } });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
    }

    [Fact]
    public async Task A_request_without_a_valid_token_gets_401()
    {
        using var anonymous = service.AnonymousClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/opportunities")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/opportunities", NewDeal("Anonymous"))).StatusCode);
    }
}
