using MassTransit;
using Pipeline.Contracts;
using Pipeline.Messaging.Inbox;
using Pipeline.Reporting.Infrastructure;
using Pipeline.Reporting.Projections;

namespace Pipeline.Reporting.Consumers;

/// <summary>
/// Every event about a deal, on one queue: each is handled once (inbox) and recomputes that deal's read model.
/// Quote events are kept in the deal's log with the rest; completed activities move its stale clock.
/// </summary>
public sealed class DealEventsConsumer(ReportingDbContext db, DealProjection projection, ProjectionBatcher batcher, ILogger<DealEventsConsumer> logger) :
    IConsumer<OpportunityCreated>, IConsumer<OpportunityUpdated>, IConsumer<DecisionDateChanged>, IConsumer<StageChanged>,
    IConsumer<OpportunityWon>, IConsumer<OpportunityLost>, IConsumer<OpportunityReopened>,
    IConsumer<QuoteSent>, IConsumer<QuoteAccepted>, IConsumer<QuoteDeclined>, IConsumer<QuoteExpired>,
    IConsumer<ActivityCompleted>
{
    public Task Consume(ConsumeContext<OpportunityCreated> context) => ApplyAsync(context, context.Message.OpportunityId);

    public Task Consume(ConsumeContext<OpportunityUpdated> context) => ApplyAsync(context, context.Message.OpportunityId);

    public Task Consume(ConsumeContext<DecisionDateChanged> context) => ApplyAsync(context, context.Message.OpportunityId);

    public Task Consume(ConsumeContext<StageChanged> context) => ApplyAsync(context, context.Message.OpportunityId);

    public Task Consume(ConsumeContext<OpportunityWon> context) => ApplyAsync(context, context.Message.OpportunityId);

    public Task Consume(ConsumeContext<OpportunityLost> context) => ApplyAsync(context, context.Message.OpportunityId);

    public Task Consume(ConsumeContext<OpportunityReopened> context) => ApplyAsync(context, context.Message.OpportunityId);

    public Task Consume(ConsumeContext<QuoteSent> context) => ApplyAsync(context, context.Message.OpportunityId);

    public Task Consume(ConsumeContext<QuoteAccepted> context) => ApplyAsync(context, context.Message.OpportunityId);

    public Task Consume(ConsumeContext<QuoteDeclined> context) => ApplyAsync(context, context.Message.OpportunityId);

    public Task Consume(ConsumeContext<QuoteExpired> context) => ApplyAsync(context, context.Message.OpportunityId);

    public Task Consume(ConsumeContext<ActivityCompleted> context) => ApplyAsync(context, context.Message.OpportunityId);

    /// <summary>
    /// With the other events in hand (see <see cref="ProjectionBatcher"/>); alone when that batch failed, and on a
    /// retry, so that a failing event fails by itself.
    /// </summary>
    private async Task ApplyAsync<T>(ConsumeContext<T> context, Guid opportunityId) where T : IntegrationMessage
    {
        var incoming = new IncomingDealEvent(context.Message, opportunityId);
        if (context.GetRetryAttempt() == 0 && await batcher.ApplyAsync(incoming, context.CancellationToken))
        {
            return;
        }

        await Inbox.HandleOnceAsync(db, nameof(DealEventsConsumer), context.Message, logger,
            () => projection.ApplyAsync(context.Message.OrganizationId, [incoming], context.CancellationToken), context.CancellationToken);
    }
}
