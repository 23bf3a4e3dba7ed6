using System.Text.Json;
using Pipeline.Automation.Domain;
using Pipeline.Contracts;
using Pipeline.Messaging.Organizations;
using Pipeline.Testing;

namespace Pipeline.Automation.Tests;

/// <summary>The simulation's clock, on its own (pure logic, no servers): delayed actions settle with the events that followed.</summary>
public sealed class SimulationEngineTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static readonly ActiveRule FollowUp = new(Guid.NewGuid(), 1, "Quote follow-up", new RuleDefinition(
        new RuleTrigger(TriggerTypes.QuoteSent), [new RuleCondition(ConditionFields.Amount, Operators.Lt, JsonSerializer.SerializeToElement(5000))],
        TimeSpan.FromDays(3), [new RuleAction(ActionTypes.Notify, Recipients: [Recipients.Owner])]), null);

    [Fact]
    public void A_quote_accepted_the_next_day_skips_the_follow_up_due_after_three_days_and_an_unanswered_one_fires()
    {
        var simulation = new Simulation(FollowUp, Start, Start.AddDays(30), Start.AddDays(60), Profile(), new Dictionary<string, SalesUser>(), [], []);
        var answered = Guid.NewGuid();
        var unanswered = Guid.NewGuid();
        foreach (var message in Quote(answered, Start, acceptedAfter: TimeSpan.FromDays(1)).Concat(Quote(unanswered, Start.AddHours(1), acceptedAfter: null)))
        {
            simulation.Apply(message);
        }

        var runs = simulation.Finish();
        Assert.Equal(2, runs.Count);
        var skipped = runs.Single(r => r.OpportunityId == answered);
        Assert.Equal((RunStatus.Skipped, "Quote Q-1 was accepted meanwhile"), (skipped.Status, skipped.Reason));
        Assert.Equal(RunStatus.Fired, runs.Single(r => r.OpportunityId == unanswered).Status);
    }

    [Fact]
    public void Journeys_recorded_deal_after_deal_with_their_own_dates_settle_on_each_deals_own_timeline()
    {
        // As an import records them: one deal's whole journey (weeks long), then the next deal's, which began earlier.
        var simulation = new Simulation(FollowUp, Start, Start.AddDays(30), Start.AddDays(60), Profile(), new Dictionary<string, SalesUser>(), [], []);
        var slow = Guid.NewGuid();
        var answered = Guid.NewGuid();
        var history = Quote(slow, Start.AddDays(1), acceptedAfter: TimeSpan.FromDays(20))
            .Concat(Quote(answered, Start, acceptedAfter: TimeSpan.FromDays(1)));
        foreach (var message in history)
        {
            simulation.Apply(message);
        }

        var runs = simulation.Finish();
        Assert.Equal(RunStatus.Fired, runs.Single(r => r.OpportunityId == slow).Status);
        Assert.Equal(RunStatus.Skipped, runs.Single(r => r.OpportunityId == answered).Status);
    }

    private static IEnumerable<IntegrationMessage> Quote(Guid deal, DateTimeOffset at, TimeSpan? acceptedAfter)
    {
        var quote = Guid.NewGuid();
        yield return new OpportunityCreated
        {
            OrganizationId = DemoUsers.Acme, OpportunityId = deal, Version = 1, OccurredAt = at, CreatedAt = at, PipelineId = Guid.NewGuid(), StageId = Guid.NewGuid(),
            StageName = "Proposal", Title = "Deal", OwnerId = DemoUsers.AliceId, Amount = 1000, Currency = "EUR", Probability = 50,
        };
        yield return new QuoteSent
        {
            OrganizationId = DemoUsers.Acme, OpportunityId = deal, QuoteId = quote, QuoteNumber = "Q-1", OccurredAt = at.AddMinutes(1), Amount = 1000, Currency = "EUR",
            OwnerId = DemoUsers.AliceId, SentAt = at.AddMinutes(1),
        };
        if (acceptedAfter is { } after)
        {
            yield return new QuoteAccepted { OrganizationId = DemoUsers.Acme, OpportunityId = deal, QuoteId = quote, QuoteNumber = "Q-1", OccurredAt = at.AddMinutes(1) + after };
        }
    }

    private static OrganizationProfile Profile() => new() { OrganizationId = DemoUsers.Acme, Name = "Acme", Currency = "EUR", TimeZone = "Europe/Paris" };
}
