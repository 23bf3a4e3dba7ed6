using MassTransit;
using Pipeline.Automation.Domain;
using Pipeline.Automation.Infrastructure;
using Pipeline.Contracts;
using Pipeline.Messaging.Inbox;

namespace Pipeline.Automation.Consumers;

/// <summary>
/// Every event about a deal, on one queue: each is handled once (inbox), updates the service's view of the deal and
/// starts the rules it matches (<see cref="DealEventEvaluator"/>), together with the others in hand (<see cref="DealEventBatcher"/>).
/// </summary>
public sealed class DealEventsConsumer(AutomationDbContext db, DealEventEvaluator evaluator, DealEventBatcher batcher, ILogger<DealEventsConsumer> logger) :
    IConsumer<OpportunityCreated>, IConsumer<OpportunityUpdated>, IConsumer<DecisionDateChanged>, IConsumer<StageChanged>,
    IConsumer<OpportunityWon>, IConsumer<OpportunityLost>, IConsumer<OpportunityReopened>,
    IConsumer<QuoteSent>, IConsumer<QuoteAccepted>, IConsumer<QuoteDeclined>, IConsumer<QuoteExpired>,
    IConsumer<ActivityScheduled>, IConsumer<ActivityCompleted>
{
    public Task Consume(ConsumeContext<OpportunityCreated> context) => ApplyAsync(context);

    public Task Consume(ConsumeContext<OpportunityUpdated> context) => ApplyAsync(context);

    public Task Consume(ConsumeContext<DecisionDateChanged> context) => ApplyAsync(context);

    public Task Consume(ConsumeContext<StageChanged> context) => ApplyAsync(context);

    public Task Consume(ConsumeContext<OpportunityWon> context) => ApplyAsync(context);

    public Task Consume(ConsumeContext<OpportunityLost> context) => ApplyAsync(context);

    public Task Consume(ConsumeContext<OpportunityReopened> context) => ApplyAsync(context);

    public Task Consume(ConsumeContext<QuoteSent> context) => ApplyAsync(context);

    public Task Consume(ConsumeContext<QuoteAccepted> context) => ApplyAsync(context);

    public Task Consume(ConsumeContext<QuoteDeclined> context) => ApplyAsync(context);

    public Task Consume(ConsumeContext<QuoteExpired> context) => ApplyAsync(context);

    public Task Consume(ConsumeContext<ActivityScheduled> context) => ApplyAsync(context);

    public Task Consume(ConsumeContext<ActivityCompleted> context) => ApplyAsync(context);

    /// <summary>
    /// With the other events in hand (<see cref="DealEventBatcher"/>); alone when that batch failed, and on a retry,
    /// so that a failing event fails by itself.
    /// </summary>
    private async Task ApplyAsync<T>(ConsumeContext<T> context) where T : IntegrationMessage
    {
        if (context.GetRetryAttempt() == 0 && await batcher.ApplyAsync(context.Message, context.CancellationToken))
        {
            return;
        }

        await Inbox.HandleOnceAsync(db, nameof(DealEventsConsumer), context.Message, logger,
            () => evaluator.ApplyAsync(context.Message.OrganizationId, [context.Message], context.CancellationToken), context.CancellationToken);
    }
}
