using Pipeline.Web.ApiClients.Automation;

namespace Pipeline.Web.Domain;

/// <summary>A rule's parts in the user's words: "Stage changed: any → Negotiation", "Decision date in 7 days".</summary>
public static class RuleTexts
{
    /// <param name="stageName">The stage's name for its id.</param>
    public static string Trigger(TriggerBody trigger, Func<string?, string> stageName)
    {
        var name = Texts.Get("Automation.Trigger." + trigger.Type);
        return trigger.Type switch
        {
            "StageChanged" when trigger.FromStageId is not null || trigger.ToStageId is not null =>
                $"{name}: {(trigger.FromStageId is null ? Texts.Get("Automation.AnyStage") : stageName(trigger.FromStageId))} → " +
                $"{(trigger.ToStageId is null ? Texts.Get("Automation.AnyStage") : stageName(trigger.ToStageId))}",
            "DecisionDateApproaching" => Texts.Get("Automation.DaysBeforeDecision", trigger.DaysBefore ?? 0),
            "Stale" when trigger.Days is { } days => Texts.Get("Automation.StaleFor", days),
            _ => name,
        };
    }
}
