using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Pipeline.Automation.Infrastructure;
using Pipeline.Messaging.Organizations;

namespace Pipeline.Automation.Domain;

/// <summary>
/// The rules every organisation starts with (SPEC §5), created once each, the first time the organisation's profile
/// arrives (identity publishes it for every organisation at each release and when one is created): "Quote
/// follow-up" at once, "Negotiation alert" as soon as the default pipeline and its stage are known here (they may
/// arrive after the profile). Admins edit, disable or delete them like any rule; a deleted one does not come back.
/// </summary>
public sealed partial class RuleSeeder(AutomationDbContext db, TimeProvider clock, ILogger<RuleSeeder> logger) : IOrganizationSettingsObserver
{
    public const string QuoteFollowUp = "quote-follow-up";
    public const string NegotiationAlert = "negotiation-alert";
    public const string NegotiationStage = "Negotiation & follow-up";

    public async Task OnChangedAsync(OrganizationProfile? before, OrganizationProfile after, CancellationToken cancellationToken)
    {
        if (before is null)
        {
            await SeedAsync(after.OrganizationId, cancellationToken);
        }
    }

    public async Task SeedAsync(Guid organizationId, CancellationToken cancellationToken)
    {
        var seeded = await db.RuleSeeds.Select(s => s.SeedKey).ToListAsync(cancellationToken);
        if (!seeded.Contains(QuoteFollowUp))
        {
            await AddAsync(organizationId, QuoteFollowUp, "Quote follow-up", new RuleDefinition(
                new RuleTrigger(TriggerTypes.QuoteSent),
                [new RuleCondition(ConditionFields.Amount, Operators.Lt, JsonSerializer.SerializeToElement(5000))],
                TimeSpan.FromDays(3),
                [
                    new RuleAction(ActionTypes.CreateActivity, ActivityType: "task", Subject: "Follow up quote {quoteNumber} ({quoteAmount})", DueIn: TimeSpan.FromDays(1)),
                    new RuleAction(ActionTypes.Notify, Recipients: [Recipients.Owner], Title: "Quote {quoteNumber} unanswered for 3 days",
                        Body: "{title}: quote {quoteNumber} ({quoteAmount}) sent on {sentAt} is still unanswered; a follow-up task was created."),
                ]), cancellationToken);
        }

        if (!seeded.Contains(NegotiationAlert)
            && await db.Stages.AsNoTracking().FirstOrDefaultAsync(s => s.IsDefaultPipeline && !s.Removed && s.Name == NegotiationStage, cancellationToken) is { } stage)
        {
            await AddAsync(organizationId, NegotiationAlert, "Negotiation alert", new RuleDefinition(
                new RuleTrigger(TriggerTypes.StageChanged, ToStageId: stage.StageId),
                [],
                TimeSpan.Zero,
                [
                    new RuleAction(ActionTypes.Notify, Recipients: [Recipients.Manager], Title: "{title} reached " + NegotiationStage,
                        Body: "{title} ({accountName}, {amount}) of {ownerName} moved to " + NegotiationStage + "."),
                ]), cancellationToken);
        }
    }

    private async Task AddAsync(Guid organizationId, string key, string name, RuleDefinition definition, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var rule = new AutomationRule
        {
            Id = Guid.NewGuid(), OrganizationId = organizationId, Name = name, Enabled = true, TriggerType = definition.Trigger.Type,
            Definition = definition, Revision = await db.NextRevisionAsync(cancellationToken), SeedKey = key, CreatedAt = now, UpdatedAt = now,
        };
        db.Rules.Add(rule);
        db.RuleSeeds.Add(new RuleSeed { OrganizationId = organizationId, SeedKey = key, RuleId = rule.Id, SeededAt = now });
        LogSeeded(logger, name, organizationId);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded the rule '{Name}' for organisation {OrganizationId}")]
    private static partial void LogSeeded(ILogger logger, string name, Guid organizationId);
}
