using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Testing;

namespace Pipeline.Automation.Tests;

/// <summary>Events arrive at least once and in any order; one that keeps failing is parked without stopping the others.</summary>
[Collection(AutomationCollection.Name)]
public sealed class EventHandlingTests(AutomationServiceFixture automation)
{
    [Fact]
    public async Task Events_of_a_deal_delivered_out_of_order_and_twice_build_the_latest_state_and_fire_once()
    {
        var segment = $"order-{Guid.NewGuid():N}";
        using var deals = await automation.OpportunityClientAsync(DemoUsers.Alice);
        var stages = await deals.DefaultStagesAsync();
        var rule = await automation.CreateRuleAsync(new
        {
            name = "Proposal reached", trigger = new { type = "StageChanged", toStageId = stages["Proposal"] },
            conditions = new[] { new { field = "segment", @operator = "eq", value = segment } },
            actions = new[] { new { type = "notify", recipients = new[] { "owner" } } },
        });
        var deal = Guid.NewGuid();
        var pipeline = await automation.InDatabaseAsync(DemoUsers.Acme, db => db.Stages.Where(s => s.StageId == stages["Proposal"]).Select(s => s.PipelineId).SingleAsync());
        var at = DateTimeOffset.UtcNow;
        var created = new OpportunityCreated
        {
            OrganizationId = DemoUsers.Acme, OpportunityId = deal, Version = 1, OccurredAt = at, CreatedAt = at, PipelineId = pipeline,
            StageId = stages["Qualification"], StageName = "Qualification", Title = "Old title", OwnerId = DemoUsers.AliceId, TeamId = DemoUsers.East,
            Amount = 1000, Currency = "EUR", Probability = 10, Segment = segment,
        };
        var updated = new OpportunityUpdated
        {
            OrganizationId = DemoUsers.Acme, OpportunityId = deal, Version = 2, OccurredAt = at.AddSeconds(1), Changes = [new FieldChange("title", "Old title", "New title")],
            Title = "New title", OwnerId = DemoUsers.AliceId, TeamId = DemoUsers.East, Amount = 2000, Currency = "EUR", Probability = 10, Segment = segment,
        };
        var moved = new StageChanged
        {
            OrganizationId = DemoUsers.Acme, OpportunityId = deal, Version = 3, OccurredAt = at.AddSeconds(2), PipelineId = pipeline,
            FromStageId = stages["Qualification"], FromStageName = "Qualification", ToStageId = stages["Proposal"], ToStageName = "Proposal",
            Probability = 50, Amount = 2000, Currency = "EUR", OwnerId = DemoUsers.AliceId, TeamId = DemoUsers.East, TimeInPreviousStage = TimeSpan.FromSeconds(2),
        };

        // Newest first, the update twice: the stage change waits for the deal's creation before its rule looks at it.
        await automation.PublishAsync(moved, updated, updated, created);
        await automation.WaitUntilHandledAsync(created);
        await automation.WaitUntilHandledAsync(moved);

        var view = await automation.InDatabaseAsync(DemoUsers.Acme, db => db.Deals.SingleAsync(d => d.OpportunityId == deal));
        Assert.Equal(("New title", 2000m, stages["Proposal"], 50, 3L), (view.Title, view.Amount, view.StageId, view.Probability, view.Version));
        var run = Assert.Single(await automation.RunsAsync(rule.Id(), r => r.Length > 0 && r[0].Str("status") != "scheduled"));
        Assert.Equal(("fired", "Moved from Qualification to Proposal; notified Alice Martin (owner)"), (run.Str("status"), run.Str("reason")));
        Assert.Equal("New title", run.Str("title"));
    }

    [Fact]
    public async Task An_event_that_keeps_failing_ends_in_the_error_queue_and_the_next_events_go_through()
    {
        var poison = new OpportunityCreated
        {
            OrganizationId = DemoUsers.Acme, OpportunityId = Guid.NewGuid(), Version = 1, CreatedAt = DateTimeOffset.UtcNow, PipelineId = Guid.NewGuid(),
            StageId = Guid.NewGuid(), StageName = "Qualification", Title = "Poison", OwnerId = DemoUsers.AliceId, Amount = 1,
            Currency = "NOT-A-CURRENCY-CODE", Probability = 10,
        };
        var healthy = poison with { EventId = Guid.NewGuid(), OpportunityId = Guid.NewGuid(), Title = "Healthy", Currency = "EUR" };

        await automation.PublishAsync(poison, healthy);

        await automation.WaitUntilHandledAsync(healthy);
        using var errors = await ErrorQueueInspector.ConnectAsync(automation.Broker, "automation-deal-events_error");
        var parked = await Eventually.Until(errors.PeekAsync, message => message is not null, TimeSpan.FromSeconds(60), "the poison event is parked");
        Assert.Contains(poison.EventId.ToString(), parked!.Body);
        Assert.Contains("value too long", parked.FaultMessage);
        Assert.False(await automation.InDatabaseAsync(null, db => db.InboxMessages.AnyAsync(m => m.MessageId == poison.EventId)));
    }
}
