using System.Text.Json;
using Pipeline.Automation.Domain;

namespace Pipeline.Automation.Apis;

/// <param name="Satisfied">Whether the deal is, now, in the state the trigger reacts to.</param>
public sealed record TriggerExplanation(string Type, bool Satisfied, string Detail);

/// <param name="Actual">The deal's value, as compared (amounts converted into the organisation's currency).</param>
public sealed record ConditionExplanation(string Field, string Operator, JsonElement Value, string Actual, bool Passed, string Detail);

/// <summary>
/// "Why did this rule not fire for this deal?": the rule evaluated against the deal's current state, condition by
/// condition with the values compared, what would have to change for it to fire, and its last runs for the deal.
/// </summary>
public sealed record ExplanationResponse(
    Guid RuleId, string RuleName, bool Enabled, string? DisabledReason, Guid OpportunityId, string? Title, bool WouldFire,
    TriggerExplanation Trigger, IReadOnlyList<ConditionExplanation> Conditions, IReadOnlyList<string> WouldHaveToChange,
    IReadOnlyList<RunResponse> RecentRuns)
{
    public static ExplanationResponse Explain(
        AutomationRule rule, Deal deal, DealQuote? quote, IReadOnlyList<DealActivity> activities, IReadOnlyList<RuleRun> runs,
        OrganizationView view, DateTimeOffset now)
    {
        var definition = rule.Definition;
        var subjectQuote = definition.Trigger.Type == TriggerTypes.QuoteSent ? quote : null;
        var (satisfied, detail) = Triggers.Explain(definition.Trigger, deal, quote, activities, view, now);
        var outcomes = Domain.Conditions.Check(definition.Conditions, deal, subjectQuote, view, now);
        var changes = new List<string>();
        if (!rule.Enabled)
        {
            changes.Add(rule.DisabledReason is null ? "The rule would have to be enabled." : $"The rule would have to be enabled again (disabled: {rule.DisabledReason}).");
        }

        if (!satisfied)
        {
            changes.Add($"Trigger: {detail}.");
        }

        foreach (var outcome in outcomes.Where(o => !o.Passed))
        {
            changes.Add(outcome.Undecidable
                ? $"{outcome.Explanation}: a rate would have to be entered (PUT /api/exchange-rates)."
                : $"{outcome.Condition.Field} would have to be {Operators.Words(outcome.Condition.Operator)} {outcome.Expected} (it is {outcome.Actual}).");
        }

        return new ExplanationResponse(
            rule.Id, rule.Name, rule.Enabled, rule.DisabledReason, deal.OpportunityId, deal.Title, changes.Count == 0,
            new TriggerExplanation(definition.Trigger.Type, satisfied, detail),
            outcomes.Select(o => new ConditionExplanation(o.Condition.Field, o.Condition.Operator, o.Condition.Value, o.Actual, o.Passed, o.Explanation)).ToList(),
            changes,
            runs.Select(r => RunResponse.From(r, rule.Name, deal.Title)).ToList());
    }
}
