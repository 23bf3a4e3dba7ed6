using System.Net.Http.Json;
using Pipeline.Contracts;
using Pipeline.Testing;

namespace Pipeline.Automation.Tests;

/// <summary>A rule whose stage or user disappears is disabled, with the reason shown on the rule, rather than left failing.</summary>
[Collection(AutomationCollection.Name)]
public sealed class RuleHealthTests(AutomationServiceFixture automation)
{
    [Fact]
    public async Task A_rule_naming_a_removed_stage_is_disabled_with_the_reason()
    {
        using var deals = await automation.OpportunityClientAsync(DemoUsers.AcmeAdmin);
        var pipeline = await (await deals.PostAsJsonAsync("/api/pipelines", new
        {
            name = $"Partners {Guid.NewGuid():N}"[..30], stages = new[] { new { name = "Intro", probability = 20 }, new { name = "Pilot", probability = 60 } },
        })).ReadAsync();
        var pilot = pipeline.GetProperty("stages")[1].Id();
        await Eventually.Until(() => automation.InDatabaseAsync(DemoUsers.Acme, db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions
            .AnyAsync(db.Stages, s => s.StageId == pilot)), TimeSpan.FromSeconds(30), "the pipeline is known");
        var rule = await automation.CreateRuleAsync(new
        {
            name = "Pilot started", trigger = new { type = "StageChanged", toStageId = pilot },
            actions = new[] { new { type = "notify", recipients = new[] { "owner" } } },
        });

        var intro = pipeline.GetProperty("stages")[0];
        (await deals.PutAsJsonAsync($"/api/pipelines/{pipeline.Id()}", new
        {
            name = pipeline.Str("name"), stages = new[] { new { id = intro.Id(), name = "Intro", probability = 20 } },
        })).EnsureSuccessStatusCode();

        using var admin = await automation.ClientAsync(DemoUsers.AcmeAdmin);
        var disabled = await Eventually.Until(
            async () => await (await admin.GetAsync($"/api/automation/rules/{rule.Id()}")).ReadAsync(),
            r => !r.Bool("enabled"), TimeSpan.FromSeconds(30), "the rule is disabled");
        Assert.Equal($"Stage 'Pilot' was removed from pipeline '{pipeline.Str("name")}' on {DateTimeOffset.UtcNow:yyyy-MM-dd}", disabled.Str("disabledReason"));
        Assert.Equal(2, disabled.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task A_rule_naming_a_deactivated_user_is_disabled_with_the_reason()
    {
        var dave = new UserChanged
        {
            OrganizationId = DemoUsers.Acme, UserId = Guid.NewGuid().ToString(), TeamId = DemoUsers.East, TeamName = "East", Role = "rep",
            Name = "Dave Leroy", Email = "dave@acme.test", Active = true,
        };
        await automation.PublishAsync(dave);
        await automation.WaitUntilHandledAsync(dave);
        var rule = await automation.CreateRuleAsync(new
        {
            name = "Tell Dave", trigger = new { type = "OpportunityWon" },
            actions = new[] { new { type = "notify", recipients = new[] { $"user:{dave.UserId}" } } },
        });

        await automation.PublishAsync(dave with { EventId = Guid.NewGuid(), OccurredAt = DateTimeOffset.UtcNow, Active = false });

        using var admin = await automation.ClientAsync(DemoUsers.AcmeAdmin);
        var disabled = await Eventually.Until(
            async () => await (await admin.GetAsync($"/api/automation/rules/{rule.Id()}")).ReadAsync(),
            r => !r.Bool("enabled"), TimeSpan.FromSeconds(30), "the rule is disabled");
        Assert.StartsWith("User Dave Leroy (dave@acme.test) was deactivated on ", disabled.Str("disabledReason"));
    }
}
