using Pipeline.Testing;

namespace Pipeline.Reporting.Tests;

/// <summary>
/// The projection applies the events a replica has in hand together, in one transaction: one event it cannot
/// store must not take the others down with it.
/// </summary>
[Collection(ReportingCollection.Name)]
public sealed class ProjectionBatchTests(ReportingServiceFixture reporting)
{
    [Fact]
    public async Task An_event_the_projection_cannot_store_is_parked_alone_while_the_events_around_it_reach_the_reports()
    {
        var today = DateTimeOffset.UtcNow.Date;
        var scenario = new DealScenario(Guid.NewGuid(), new DateTimeOffset(today, TimeSpan.Zero));
        for (var i = 0; i < 40; i++)
        {
            scenario.Create($"Deal {i}", 1_000, "EUR", 0);
        }

        var good = scenario.Events.ToList();
        // A title longer than the read model holds (200 characters): its batch fails, and each event is retried alone.
        var unstorable = scenario.Create(new string('x', 201), 5_000, "EUR", 0);
        var events = good.Take(20).Concat(scenario.Events.Except(good)).Concat(good.Skip(20));
        using var errors = await ErrorQueueInspector.ConnectAsync(reporting.Broker, "reporting-deal-events_error");

        await reporting.PublishAsync([scenario.Pipeline()]);
        await Task.WhenAll(events.Select(e => reporting.PublishAsync([e]))); // all at once: the service has many in hand

        var summary = await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/summary?pipelineId={scenario.PipelineId}",
            r => r.GetProperty("openCount").GetInt32() == 40);
        Assert.Equal(40_000m, summary.GetProperty("openAmount").GetDecimal());
        var parked = await Eventually.Until(errors.PeekAsync, message => message is not null, TimeSpan.FromSeconds(60), "the unstorable event is parked");
        Assert.Contains(unstorable.Id.ToString(), parked!.Body);
        Assert.Contains("too long", parked.FaultMessage);
        var after = await reporting.ReportAsync(DemoUsers.AcmeAdmin, $"/api/reports/summary?pipelineId={scenario.PipelineId}", _ => true);
        Assert.Equal(40, after.GetProperty("openCount").GetInt32());
    }
}
