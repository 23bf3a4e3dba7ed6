using System.Text.Json;

namespace Pipeline.Automation.Domain;

/// <summary>What starts a rule (SPEC §5): an event about a deal, or a moment (a decision date near, a deal gone stale).</summary>
public static class TriggerTypes
{
    public const string StageChanged = "StageChanged";
    public const string QuoteSent = "QuoteSent";
    public const string OpportunityCreated = "OpportunityCreated";
    public const string OpportunityWon = "OpportunityWon";
    public const string OpportunityLost = "OpportunityLost";
    public const string DecisionDateApproaching = "DecisionDateApproaching";
    public const string Stale = "Stale";

    public static readonly string[] All = [StageChanged, QuoteSent, OpportunityCreated, OpportunityWon, OpportunityLost, DecisionDateApproaching, Stale];

    /// <summary>Evaluated periodically against the deals (<see cref="TimeTriggers"/>), not on an event.</summary>
    public static bool IsTimeBased(string type) => type is DecisionDateApproaching or Stale;
}

public static class ConditionFields
{
    public const string Amount = "amount";
    public const string Currency = "currency";
    public const string Segment = "segment";
    public const string Source = "source";
    public const string Pipeline = "pipeline";
    public const string Stage = "stage";
    public const string Owner = "owner";
    public const string Team = "team";
    public const string Probability = "probability";
    public const string Title = "title";

    public static readonly string[] All = [Amount, Currency, Segment, Source, Pipeline, Stage, Owner, Team, Probability, Title];

    public static bool IsNumber(string field) => field is Amount or Probability;

    public static bool IsId(string field) => field is Pipeline or Stage or Team;
}

public static class Operators
{
    public const string Eq = "eq";
    public const string Ne = "ne";
    public const string Lt = "lt";
    public const string Le = "le";
    public const string Gt = "gt";
    public const string Ge = "ge";
    public const string In = "in";
    public const string Contains = "contains";

    public static readonly string[] All = [Eq, Ne, Lt, Le, Gt, Ge, In, Contains];

    public static bool IsOrdering(string op) => op is Lt or Le or Gt or Ge;

    /// <summary>How an explanation says it: "below 5,000 EUR", "one of smb, mid-market".</summary>
    public static string Words(string op) => op switch
    {
        Eq => "equal to",
        Ne => "other than",
        Lt => "below",
        Le => "at most",
        Gt => "above",
        Ge => "at least",
        In => "one of",
        Contains => "containing",
        _ => op,
    };
}

public static class ActionTypes
{
    public const string Notify = "notify";
    public const string CreateActivity = "createActivity";
    public const string EmailContact = "emailContact";
    public const string Webhook = "webhook";

    public static readonly string[] All = [Notify, CreateActivity, EmailContact, Webhook];

    public static readonly string[] ActivityTypes = ["call", "email", "meeting", "task"];
}

/// <summary>Who a <c>notify</c> action reaches (SPEC §5): <c>owner</c>, <c>manager</c>, <c>team</c>, <c>user:&lt;sub&gt;</c>.</summary>
public static class Recipients
{
    public const string Owner = "owner";
    public const string Manager = "manager";
    public const string Team = "team";
    public const string UserPrefix = "user:";

    public static string? UserOf(string recipient) =>
        recipient.StartsWith(UserPrefix, StringComparison.Ordinal) && recipient.Length > UserPrefix.Length ? recipient[UserPrefix.Length..] : null;
}

/// <param name="FromStageId">StageChanged: fires on a move out of this stage (with <paramref name="ToStageId"/>: that move only).</param>
/// <param name="DaysBefore">DecisionDateApproaching: how many days before the expected decision date, in the organisation's time zone.</param>
/// <param name="Days">Stale: days without a change or completed activity; the stage's rotting days when null.</param>
public sealed record RuleTrigger(string Type, Guid? FromStageId = null, Guid? ToStageId = null, int? DaysBefore = null, int? Days = null);

/// <param name="Value">A number, a string or an array of them (for <c>in</c>), as the rule's author wrote it; amounts are in the organisation's currency.</param>
public sealed record RuleCondition(string Field, string Operator, JsonElement Value);

/// <summary>One action; which properties matter depends on <see cref="Type"/>.</summary>
public sealed record RuleAction(
    string Type,
    IReadOnlyList<string>? Recipients = null,
    string? Title = null,
    string? Body = null,
    string? ActivityType = null,
    string? Subject = null,
    TimeSpan? DueIn = null,
    string? Assignee = null,
    Guid? SubscriptionId = null);

/// <summary>A rule's logic: trigger, conditions (all must hold), delay before the actions, and the actions.</summary>
public sealed record RuleDefinition(RuleTrigger Trigger, IReadOnlyList<RuleCondition> Conditions, TimeSpan Delay, IReadOnlyList<RuleAction> Actions)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The stages the rule names (trigger and conditions): a rule whose stage is removed is disabled.</summary>
    public IEnumerable<Guid> Stages()
    {
        if (Trigger.FromStageId is { } from)
        {
            yield return from;
        }

        if (Trigger.ToStageId is { } to)
        {
            yield return to;
        }

        foreach (var value in Conditions.Where(c => c.Field == ConditionFields.Stage).SelectMany(c => Values(c.Value)))
        {
            if (Guid.TryParse(value, out var stage))
            {
                yield return stage;
            }
        }
    }

    /// <summary>The users the rule names (recipients, assignees, owner conditions): a rule whose user leaves is disabled.</summary>
    public IEnumerable<string> Users() =>
        Actions.SelectMany(a => (a.Recipients ?? []).Append(a.Assignee ?? ""))
            .Select(Recipients.UserOf).OfType<string>()
            .Concat(Conditions.Where(c => c.Field == ConditionFields.Owner).SelectMany(c => Values(c.Value)))
            .Distinct();

    /// <summary>A condition's value as text: one for a scalar, each element for an array.</summary>
    public static IEnumerable<string> Values(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => value.EnumerateArray().Select(Text),
        _ => [Text(value)],
    };

    private static string Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
}
