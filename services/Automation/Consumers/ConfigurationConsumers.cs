using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Pipeline.Automation.Domain;
using Pipeline.Automation.Infrastructure;
using Pipeline.Contracts;
using Pipeline.Messaging.Inbox;

namespace Pipeline.Automation.Consumers;

/// <summary>
/// Keeps the stages of each pipeline (names, rotting days) as the opportunity service defines them; disables the
/// rules that name a stage the change removed; and seeds the "Negotiation alert" once the default pipeline is known.
/// </summary>
public sealed class PipelineChangedConsumer(
    AutomationDbContext db, RuleHealth health, RuleSeeder seeder, IMemoryCache cache, ILogger<PipelineChangedConsumer> logger)
    : IdempotentConsumer<PipelineChanged, AutomationDbContext>(db, logger)
{
    protected override async Task HandleAsync(PipelineChanged message, ConsumeContext<PipelineChanged> context)
    {
        var cancellationToken = context.CancellationToken;
        var known = await Db.Stages.Where(s => s.PipelineId == message.PipelineId).ToListAsync(cancellationToken);
        var removed = PipelineStages.Apply(message, known, stage => Db.Stages.Add(stage));
        OrganizationViews.Forget(cache, message.OrganizationId);
        if (removed.Count > 0)
        {
            await health.DisableNamingStagesAsync(removed, message.OccurredAt, cancellationToken);
        }

        if (message.IsDefault && await Db.Profiles.AnyAsync(cancellationToken))
        {
            await Db.SaveChangesAsync(cancellationToken); // the seeder looks the new stages up
            await seeder.SeedAsync(message.OrganizationId, cancellationToken);
        }
    }
}

/// <summary>Keeps the organisation's dated exchange rates, with which amounts are compared in its currency.</summary>
public sealed class ExchangeRateChangedConsumer(AutomationDbContext db, IMemoryCache cache, ILogger<ExchangeRateChangedConsumer> logger)
    : IdempotentConsumer<ExchangeRateChanged, AutomationDbContext>(db, logger)
{
    protected override async Task HandleAsync(ExchangeRateChanged message, ConsumeContext<ExchangeRateChanged> context)
    {
        var held = await Db.ExchangeRates.ToListAsync(context.CancellationToken);
        ExchangeRates.Apply(message, held, rate => Db.ExchangeRates.Add(rate), rate => Db.ExchangeRates.Remove(rate));
        OrganizationViews.Forget(cache, message.OrganizationId);
    }
}

/// <summary>
/// Keeps the organisation's people as identity describes them: who owns, manages and belongs to which team. A rule
/// naming a user who is deactivated is disabled, with the reason on the rule.
/// </summary>
public sealed class UserChangedConsumer(AutomationDbContext db, RuleHealth health, IMemoryCache cache, ILogger<UserChangedConsumer> logger)
    : IdempotentConsumer<UserChanged, AutomationDbContext>(db, logger)
{
    protected override async Task HandleAsync(UserChanged message, ConsumeContext<UserChanged> context)
    {
        var user = await Db.Users.SingleOrDefaultAsync(u => u.UserId == message.UserId, context.CancellationToken);
        if (user is null)
        {
            user = new SalesUser { UserId = message.UserId, OrganizationId = message.OrganizationId, Role = message.Role, Name = message.Name, Email = message.Email };
            Db.Users.Add(user);
        }

        OrganizationViews.Forget(cache, message.OrganizationId);
        if (user.Apply(message) && !message.Active)
        {
            await health.DisableNamingUserAsync(user, message.OccurredAt, context.CancellationToken);
        }
    }
}
