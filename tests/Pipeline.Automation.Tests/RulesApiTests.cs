using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.Automation.Tests;

/// <summary>Rules through the API: admins change them, everyone reads them, bad rules are refused field by field.</summary>
[Collection(AutomationCollection.Name)]
public sealed class RulesApiTests(AutomationServiceFixture automation)
{
    private static object QuoteFollowUp(string name) => new
    {
        name, enabled = true,
        trigger = new { type = "QuoteSent" },
        conditions = new[] { new { field = "amount", @operator = "lt", value = (object)5000 } },
        delay = "P3D",
        actions = new object[]
        {
            new { type = "createActivity", activityType = "task", subject = "Follow up the quote", dueIn = "P1D" },
            new { type = "notify", recipients = new[] { "owner" } },
        },
    };

    [Fact]
    public async Task An_admin_creates_a_rule_that_every_member_reads_with_its_version_as_ETag()
    {
        using var admin = await automation.ClientAsync(DemoUsers.AcmeAdmin);
        var response = await admin.PostAsJsonAsync("/api/automation/rules", QuoteFollowUp("Follow-up of small quotes"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var rule = await response.ReadAsync();
        Assert.Equal($"/api/automation/rules/{rule.Id()}", response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        Assert.Equal("QuoteSent", rule.GetProperty("trigger").Str("type"));
        Assert.Equal("P3D", rule.Str("delay"));
        Assert.Equal("P1D", rule.GetProperty("actions")[0].Str("dueIn"));
        Assert.Equal(5000, rule.GetProperty("conditions")[0].GetProperty("value").GetInt32());
        Assert.False(rule.Bool("seeded"));

        using var alice = await automation.ClientAsync(DemoUsers.Alice);
        var read = await alice.GetAsync($"/api/automation/rules/{rule.Id()}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("\"1\"", read.Headers.ETag?.Tag);
        var listed = await (await alice.GetAsync("/api/automation/rules?limit=200")).ReadAsync();
        Assert.Contains(listed.Items(), r => r.Id() == rule.Id());
    }

    [Fact]
    public async Task Only_admins_change_rules()
    {
        var rule = await automation.CreateRuleAsync(QuoteFollowUp("Admins only"));
        foreach (var user in new[] { DemoUsers.Alice, DemoUsers.Maria })
        {
            using var client = await automation.ClientAsync(user);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/api/automation/rules", QuoteFollowUp("Mine"))).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PutAsJsonAsync($"/api/automation/rules/{rule.Id()}", QuoteFollowUp("Mine"))).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.DeleteAsync($"/api/automation/rules/{rule.Id()}")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/api/automation/rules/simulate",
                new { rule = QuoteFollowUp("Mine"), from = DateTimeOffset.UtcNow.AddDays(-1), to = DateTimeOffset.UtcNow })).StatusCode);
        }
    }

    [Fact]
    public async Task Another_organisations_rule_is_not_found()
    {
        var rule = await automation.CreateRuleAsync(QuoteFollowUp("Acme's own"));
        using var eve = await automation.ClientAsync(DemoUsers.Eve);

        Assert.Equal(HttpStatusCode.NotFound, (await eve.GetAsync($"/api/automation/rules/{rule.Id()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.PutAsJsonAsync($"/api/automation/rules/{rule.Id()}", QuoteFollowUp("Taken"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.DeleteAsync($"/api/automation/rules/{rule.Id()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.GetAsync($"/api/automation/runs?ruleId={rule.Id()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.PostAsJsonAsync("/api/automation/rules/simulate",
            new { ruleId = rule.Id(), from = DateTimeOffset.UtcNow.AddDays(-1), to = DateTimeOffset.UtcNow })).StatusCode);
        var globexRules = await (await eve.GetAsync("/api/automation/rules?limit=200")).ReadAsync();
        Assert.DoesNotContain(globexRules.Items(), r => r.Id() == rule.Id());
    }

    [Fact]
    public async Task A_change_with_a_stale_If_Match_is_refused_and_a_current_one_applies()
    {
        var rule = await automation.CreateRuleAsync(QuoteFollowUp("Versioned"));
        using var admin = await automation.ClientAsync(DemoUsers.AcmeAdmin);

        var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/automation/rules/{rule.Id()}") { Content = JsonContent.Create(QuoteFollowUp("Renamed")) };
        stale.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"7\""));
        var refused = await admin.SendAsync(stale);
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);

        var current = new HttpRequestMessage(HttpMethod.Put, $"/api/automation/rules/{rule.Id()}") { Content = JsonContent.Create(QuoteFollowUp("Renamed")) };
        current.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"1\""));
        var changed = await admin.SendAsync(current);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal("\"2\"", changed.Headers.ETag?.Tag);
        Assert.Equal("Renamed", (await changed.ReadAsync()).Str("name"));

        var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/automation/rules/{rule.Id()}");
        delete.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"1\""));
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await admin.SendAsync(delete)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/automation/rules/{rule.Id()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/automation/rules/{rule.Id()}")).StatusCode);
    }

    public static TheoryData<string, string, HttpStatusCode> BadRules => new()
    {
        { """{"name":"x","trigger":{"type":"QuoteAnswered"},"actions":[{"type":"notify","recipients":["owner"]}]}""", "trigger.type", HttpStatusCode.BadRequest },
        { """{"name":"x","trigger":{"type":"QuoteSent"},"conditions":[{"field":"amount","operator":"between","value":1}],"actions":[{"type":"notify","recipients":["owner"]}]}""", "conditions[0].operator", HttpStatusCode.BadRequest },
        { """{"name":"x","trigger":{"type":"QuoteSent"},"conditions":[{"field":"colour","operator":"eq","value":"red"}],"actions":[{"type":"notify","recipients":["owner"]}]}""", "conditions[0].field", HttpStatusCode.BadRequest },
        { """{"name":"x","trigger":{"type":"QuoteSent"},"conditions":[{"field":"amount","operator":"lt","value":"five thousand"}],"actions":[{"type":"notify","recipients":["owner"]}]}""", "conditions[0].value", HttpStatusCode.BadRequest },
        { """{"name":"x","trigger":{"type":"QuoteSent"},"conditions":[{"field":"segment","operator":"lt","value":"smb"}],"actions":[{"type":"notify","recipients":["owner"]}]}""", "conditions[0].operator", HttpStatusCode.BadRequest },
        { """{"name":"x","trigger":{"type":"QuoteSent"},"actions":[{"type":"sms","recipients":["owner"]}]}""", "actions[0].type", HttpStatusCode.BadRequest },
        { """{"name":"x","trigger":{"type":"QuoteSent"},"actions":[{"type":"notify","recipients":["ceo"]}]}""", "actions[0].recipients[0]", HttpStatusCode.BadRequest },
        { """{"name":"x","trigger":{"type":"QuoteSent"},"delay":"-P1D","actions":[{"type":"notify","recipients":["owner"]}]}""", "delay", HttpStatusCode.BadRequest },
        { """{"name":"x","trigger":{"type":"QuoteSent"},"delay":"P400D","actions":[{"type":"notify","recipients":["owner"]}]}""", "delay", HttpStatusCode.BadRequest },
        { """{"name":"x","trigger":{"type":"QuoteSent"},"delay":"three days","actions":[{"type":"notify","recipients":["owner"]}]}""", "delay", HttpStatusCode.BadRequest },
        { """{"name":"x","trigger":{"type":"QuoteSent"},"actions":[]}""", "actions", HttpStatusCode.BadRequest },
        { """{"name":"","trigger":{"type":"QuoteSent"},"actions":[{"type":"notify","recipients":["owner"]}]}""", "name", HttpStatusCode.BadRequest },
        { """{"name":"x","trigger":{"type":"StageChanged"},"actions":[{"type":"notify","recipients":["owner"]}]}""", "trigger", HttpStatusCode.BadRequest },
        { """{"name":"x","trigger":{"type":"DecisionDateApproaching"},"actions":[{"type":"notify","recipients":["owner"]}]}""", "trigger.daysBefore", HttpStatusCode.BadRequest },
        { """{"name":"x","trigger":{"type":"QuoteSent"},"actions":[{"type":"webhook"}]}""", "actions[0].subscriptionId", HttpStatusCode.BadRequest },
        { """{"name":"x","trigger":{"type":"QuoteSent"},"actions":[{"type":"createActivity","subject":"Call","activityType":"fax"}]}""", "actions[0].activityType", HttpStatusCode.BadRequest },
        { """{"name":"x","trigger":{"type":"StageChanged","toStageId":"6c1f0000-0000-0000-0000-000000000000"},"actions":[{"type":"notify","recipients":["owner"]}]}""", "trigger.toStageId", HttpStatusCode.UnprocessableEntity },
        { """{"name":"x","trigger":{"type":"QuoteSent"},"actions":[{"type":"notify","recipients":["user:nobody-here"]}]}""", "actions[0].recipients[0]", HttpStatusCode.UnprocessableEntity },
        { """{"name":"x","trigger":{"type":"QuoteSent"},"conditions":[{"field":"owner","operator":"eq","value":"nobody-here"}],"actions":[{"type":"notify","recipients":["owner"]}]}""", "conditions[0].value", HttpStatusCode.UnprocessableEntity },
    };

    [Theory]
    [MemberData(nameof(BadRules))]
    public async Task A_bad_rule_is_refused_with_problem_details_naming_the_field(string body, string field, HttpStatusCode status)
    {
        using var admin = await automation.ClientAsync(DemoUsers.AcmeAdmin);
        var response = await admin.PostAsync("/api/automation/rules", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(field, problem.ErrorFields());
    }

    [Fact]
    public async Task A_stage_changed_trigger_naming_stages_of_two_pipelines_is_refused()
    {
        using var deals = await automation.OpportunityClientAsync(DemoUsers.AcmeAdmin);
        var other = await (await deals.PostAsJsonAsync("/api/pipelines", new
        {
            name = $"Renewals {Guid.NewGuid():N}", stages = new[] { new { name = "Due", probability = 50 }, new { name = "Signed", probability = 90 } },
        })).ReadAsync();
        var otherStage = other.GetProperty("stages")[1].Id();
        var defaultStages = await deals.DefaultStagesAsync();
        await Eventually.Until(() => automation.InDatabaseAsync(DemoUsers.Acme, db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions
            .AnyAsync(db.Stages, s => s.StageId == otherStage)), TimeSpan.FromSeconds(30), "the new pipeline is known");

        using var admin = await automation.ClientAsync(DemoUsers.AcmeAdmin);
        var response = await admin.PostAsJsonAsync("/api/automation/rules", new
        {
            name = "Across pipelines",
            trigger = new { type = "StageChanged", fromStageId = defaultStages["Proposal"], toStageId = otherStage },
            actions = new[] { new { type = "notify", recipients = new[] { "owner" } } },
        });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("trigger.toStageId", problem.ErrorFields());
    }

    [Fact]
    public async Task Every_organisation_has_the_two_seeded_rules_once()
    {
        using var acme = await automation.ClientAsync(DemoUsers.Alice);
        using var deals = await automation.OpportunityClientAsync(DemoUsers.Alice);
        var negotiation = (await deals.DefaultStagesAsync())["Negotiation & follow-up"];
        var seeded = (await (await acme.GetAsync("/api/automation/rules?limit=200")).ReadAsync()).Items().Where(r => r.Bool("seeded")).ToList();

        var followUp = Assert.Single(seeded, r => r.Str("name") == "Quote follow-up");
        Assert.Equal("QuoteSent", followUp.GetProperty("trigger").Str("type"));
        Assert.Equal("P3D", followUp.Str("delay"));
        var condition = Assert.Single(followUp.GetProperty("conditions").EnumerateArray());
        Assert.Equal(("amount", "lt", 5000), (condition.Str("field"), condition.Str("operator"), condition.GetProperty("value").GetInt32()));
        Assert.Equal(["createActivity", "notify"], followUp.GetProperty("actions").EnumerateArray().Select(a => a.Str("type")));
        var alert = Assert.Single(seeded, r => r.Str("name") == "Negotiation alert");
        Assert.Equal(negotiation, alert.GetProperty("trigger").Id("toStageId"));
        Assert.Equal(["manager"], alert.GetProperty("actions")[0].GetProperty("recipients").EnumerateArray().Select(r => r.GetString()));

        using var globex = await automation.ClientAsync(DemoUsers.Eve);
        Assert.Equal(2, (await (await globex.GetAsync("/api/automation/rules?limit=200")).ReadAsync()).Items().Count(r => r.Bool("seeded")));

        // An admin changes Acme's settings: identity announces it again, and nothing is seeded twice.
        using var identity = await automation.Issuer.ClientAsync(DemoUsers.AcmeAdmin);
        var organization = await (await identity.GetAsync("/api/organization")).ReadAsync();
        (await identity.PutAsJsonAsync("/api/organization", new
        {
            name = organization.Str("name"), currency = organization.Str("currency"), timeZone = organization.Str("timeZone"),
            fiscalYearStartMonth = organization.Int("fiscalYearStartMonth") % 12 + 1,
        })).EnsureSuccessStatusCode();
        await Eventually.Until(() => automation.InDatabaseAsync(DemoUsers.Acme, db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions
            .SingleAsync(db.Profiles)), p => p.Version > organization.GetProperty("version").GetInt64(), TimeSpan.FromSeconds(30), "the change is known");
        Assert.Equal(2, (await (await acme.GetAsync("/api/automation/rules?limit=200")).ReadAsync()).Items().Count(r => r.Bool("seeded")));
    }
}
