using MassTransit;
using Pipeline.Contracts;
using Pipeline.Notification.Domain;

namespace Pipeline.Notification.Consumers;

/// <summary>
/// Every opportunity and quote event, on one queue, each handled once: the deal's readers learn of it on their open
/// streams (an open board updates without a reload), and webhook subscriptions get their deliveries.
/// </summary>
public sealed class DealEventsConsumer(UnitOfWork work, DealChanges changes, ILogger<DealEventsConsumer> logger) :
    IConsumer<OpportunityCreated>, IConsumer<OpportunityUpdated>, IConsumer<DecisionDateChanged>, IConsumer<StageChanged>,
    IConsumer<OpportunityWon>, IConsumer<OpportunityLost>, IConsumer<OpportunityReopened>,
    IConsumer<QuoteSent>, IConsumer<QuoteAccepted>, IConsumer<QuoteDeclined>, IConsumer<QuoteExpired>
{
    public Task Consume(ConsumeContext<OpportunityCreated> context)
    {
        var e = context.Message;
        return ApplyAsync(context, e.OpportunityId, e.Version, new DealFacts(e.OwnerId, e.TeamId, e.PipelineId, e.StageId, DealStatus.Open, e.Title));
    }

    public Task Consume(ConsumeContext<OpportunityUpdated> context)
    {
        var e = context.Message;
        return ApplyAsync(context, e.OpportunityId, e.Version, new DealFacts(e.OwnerId, e.TeamId, Title: e.Title));
    }

    public Task Consume(ConsumeContext<DecisionDateChanged> context) =>
        ApplyAsync(context, context.Message.OpportunityId, context.Message.Version, new DealFacts());

    public Task Consume(ConsumeContext<StageChanged> context)
    {
        var e = context.Message;
        return ApplyAsync(context, e.OpportunityId, e.Version, new DealFacts(e.OwnerId, e.TeamId, e.PipelineId, e.ToStageId, DealStatus.Open));
    }

    public Task Consume(ConsumeContext<OpportunityWon> context)
    {
        var e = context.Message;
        return ApplyAsync(context, e.OpportunityId, e.Version, new DealFacts(e.OwnerId, e.TeamId, e.PipelineId, e.StageId, DealStatus.Won));
    }

    public Task Consume(ConsumeContext<OpportunityLost> context)
    {
        var e = context.Message;
        return ApplyAsync(context, e.OpportunityId, e.Version, new DealFacts(e.OwnerId, e.TeamId, e.PipelineId, e.StageId, DealStatus.Lost));
    }

    public Task Consume(ConsumeContext<OpportunityReopened> context)
    {
        var e = context.Message;
        return ApplyAsync(context, e.OpportunityId, e.Version, new DealFacts(PipelineId: e.PipelineId, StageId: e.StageId, Status: DealStatus.Open));
    }

    public Task Consume(ConsumeContext<QuoteSent> context)
    {
        var e = context.Message;
        return ApplyAsync(context, e.OpportunityId, version: null, new DealFacts(e.OwnerId, e.TeamId));
    }

    public Task Consume(ConsumeContext<QuoteAccepted> context) => ApplyAsync(context, context.Message.OpportunityId, version: null, new DealFacts());

    public Task Consume(ConsumeContext<QuoteDeclined> context) => ApplyAsync(context, context.Message.OpportunityId, version: null, new DealFacts());

    public Task Consume(ConsumeContext<QuoteExpired> context) => ApplyAsync(context, context.Message.OpportunityId, version: null, new DealFacts());

    private Task ApplyAsync<T>(ConsumeContext<T> context, Guid opportunityId, long? version, DealFacts facts) where T : IntegrationMessage =>
        work.HandleOnceAsync(nameof(DealEventsConsumer), context.Message, logger,
            () => changes.ApplyAsync(context.Message, opportunityId, version, facts, context.CancellationToken), context.CancellationToken);
}
