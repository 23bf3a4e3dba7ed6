using MassTransit;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Messaging.Inbox;
using Pipeline.Reporting.Domain;
using Pipeline.Reporting.Infrastructure;
using Pipeline.Reporting.Projections;

namespace Pipeline.Reporting.Consumers;

/// <summary>Keeps the stages of each pipeline (names, order, probability, rotting days) as the opportunity service defines them.</summary>
public sealed class PipelineChangedConsumer(ReportingDbContext db, ILogger<PipelineChangedConsumer> logger)
    : IdempotentConsumer<PipelineChanged, ReportingDbContext>(db, logger)
{
    protected override async Task HandleAsync(PipelineChanged message, ConsumeContext<PipelineChanged> context)
    {
        await PipelineStages.ApplyAsync(Db, message, context.CancellationToken);
    }
}

/// <summary>Keeps the dated rates to the organisation's currency, and that currency.</summary>
public sealed class ExchangeRateChangedConsumer(ReportingDbContext db, ILogger<ExchangeRateChangedConsumer> logger)
    : IdempotentConsumer<ExchangeRateChanged, ReportingDbContext>(db, logger)
{
    protected override async Task HandleAsync(ExchangeRateChanged message, ConsumeContext<ExchangeRateChanged> context)
    {
        await PipelineStages.ApplyAsync(Db, message, context.CancellationToken);
    }
}

/// <summary>The configuration read models, shared by the live consumers and the rebuild.</summary>
public static class PipelineStages
{
    public static async Task ApplyAsync(ReportingDbContext db, PipelineChanged message, CancellationToken cancellationToken)
    {
        var known = await db.PipelineStages.Where(s => s.PipelineId == message.PipelineId).ToListAsync(cancellationToken);
        foreach (var stage in known)
        {
            stage.Removed = message.Stages.All(s => s.Id != stage.StageId);
            stage.IsDefaultPipeline = message.IsDefault;
        }

        foreach (var definition in message.Stages)
        {
            var stage = known.SingleOrDefault(s => s.StageId == definition.Id);
            if (stage is null)
            {
                stage = new PipelineStage { OrganizationId = message.OrganizationId, PipelineId = message.PipelineId, StageId = definition.Id, Name = definition.Name };
                db.PipelineStages.Add(stage);
            }

            stage.Name = definition.Name;
            stage.Order = definition.Order;
            stage.Probability = definition.Probability;
            stage.RottingDays = definition.RottingDays;
            stage.IsDefaultPipeline = message.IsDefault;
            stage.Removed = false;
        }
    }

    public static async Task ApplyAsync(ReportingDbContext db, ExchangeRateChanged message, CancellationToken cancellationToken)
    {
        var state = await ProjectionStates.EnsureAsync(db, message.OrganizationId, cancellationToken);
        state.Currency = message.OrganizationCurrency;
        if (message.Currency == message.OrganizationCurrency)
        {
            return;
        }

        var rate = await db.Rates.SingleOrDefaultAsync(r => r.Currency == message.Currency && r.EffectiveFrom == message.EffectiveFrom, cancellationToken);
        if (rate is null)
        {
            db.Rates.Add(new RateToOrganizationCurrency
            {
                OrganizationId = message.OrganizationId, Currency = message.Currency, EffectiveFrom = message.EffectiveFrom, Rate = message.Rate,
            });
        }
        else
        {
            rate.Rate = message.Rate;
        }
    }
}
