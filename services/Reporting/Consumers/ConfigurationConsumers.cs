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

/// <summary>Keeps the organisation's dated exchange rates, and the currency they are quoted in.</summary>
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

    /// <summary>
    /// Keeps a dated rate of the organisation's table. <c>OrganizationCurrency</c> is the currency the table is quoted
    /// in: a rate quoted in another currency, sent after the stored ones, comes from a table an admin replaced (the
    /// opportunity service then sends every rate again), so the older rates go; sent before them, it is itself from
    /// a replaced table, and is ignored. A currency's rate to itself (the "organisation currency at 1" rows older
    /// versions sent) says nothing and is ignored. The organisation's currency is its profile's, never decided here.
    /// </summary>
    public static async Task ApplyAsync(ReportingDbContext db, ExchangeRateChanged message, CancellationToken cancellationToken)
    {
        var quotedIn = message.OrganizationCurrency.Trim();
        var currency = message.Currency.Trim();
        if (currency == quotedIn)
        {
            return;
        }

        // Locked: two rates of one table handled at once would otherwise both decide from the table before the other.
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO rate_tables (organization_id, quoted_in, quoted_at) VALUES ({message.OrganizationId}, {quotedIn}, {message.OccurredAt})
            ON CONFLICT DO NOTHING
            """, cancellationToken);
        var table = await db.RateTables
            .FromSqlInterpolated($"SELECT * FROM rate_tables WHERE organization_id = {message.OrganizationId} FOR UPDATE")
            .SingleAsync(cancellationToken);
        if (table.QuotedIn.Trim() != quotedIn)
        {
            if (message.OccurredAt <= table.QuotedAt)
            {
                return;
            }

            await db.Rates.ExecuteDeleteAsync(cancellationToken);
            (table.QuotedIn, table.QuotedAt) = (quotedIn, message.OccurredAt);
        }
        else if (message.OccurredAt > table.QuotedAt)
        {
            table.QuotedAt = message.OccurredAt;
        }

        var rate = await db.Rates.SingleOrDefaultAsync(r => r.Currency == currency && r.EffectiveFrom == message.EffectiveFrom, cancellationToken);
        if (rate is null)
        {
            db.Rates.Add(new ExchangeRate
            {
                OrganizationId = message.OrganizationId, Currency = currency, EffectiveFrom = message.EffectiveFrom, Rate = message.Rate, ChangedAt = message.OccurredAt,
            });
        }
        else if (message.OccurredAt >= rate.ChangedAt)
        {
            (rate.Rate, rate.ChangedAt) = (message.Rate, message.OccurredAt);
        }
    }
}
