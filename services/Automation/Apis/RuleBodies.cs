using System.Text.Json;
using System.Xml;
using Pipeline.Automation.Domain;

namespace Pipeline.Automation.Apis;

/// <param name="Type">StageChanged, QuoteSent, OpportunityCreated, OpportunityWon, OpportunityLost, DecisionDateApproaching or Stale.</param>
/// <param name="FromStageId">StageChanged: the stage left.</param>
/// <param name="ToStageId">StageChanged: the stage entered.</param>
/// <param name="DaysBefore">DecisionDateApproaching: days before the expected decision date.</param>
/// <param name="Days">Stale: days without change; the stage's rotting days when omitted.</param>
public sealed record TriggerBody(string? Type, string? FromStageId = null, string? ToStageId = null, int? DaysBefore = null, int? Days = null);

/// <param name="Field">amount, currency, segment, source, pipeline, stage, owner, team, probability or title.</param>
/// <param name="Operator">eq, ne, lt, le, gt, ge, in or contains.</param>
/// <param name="Value">A number for amount (in the organisation's currency) and probability, text or an id otherwise; an array for <c>in</c>.</param>
public sealed record ConditionBody(string? Field, string? Operator, JsonElement? Value);

/// <param name="Type">notify, createActivity, emailContact or webhook.</param>
/// <param name="Recipients">notify: owner, manager, team or user:&lt;sub&gt;.</param>
/// <param name="Title">notify: the notification's title ({title}, {quoteNumber}, ... are filled in); the rule's name by default.</param>
/// <param name="Body">notify: the notification's text.</param>
/// <param name="ActivityType">createActivity: call, email, meeting or task (default).</param>
/// <param name="Subject">createActivity: the activity's subject.</param>
/// <param name="DueIn">createActivity: ISO 8601 duration from the firing to the activity's due time.</param>
/// <param name="Assignee">createActivity: owner (default) or user:&lt;sub&gt;.</param>
/// <param name="SubscriptionId">webhook: the notification service's webhook subscription to deliver to.</param>
public sealed record ActionBody(
    string? Type, IReadOnlyList<string>? Recipients = null, string? Title = null, string? Body = null, string? ActivityType = null,
    string? Subject = null, string? DueIn = null, string? Assignee = null, string? SubscriptionId = null);

/// <param name="Delay">ISO 8601 duration (P3D, PT5S) between the trigger and the actions; none by default.</param>
public sealed record RuleBody(
    string? Name, bool? Enabled, TriggerBody? Trigger, IReadOnlyList<ConditionBody>? Conditions, string? Delay, IReadOnlyList<ActionBody>? Actions);

public sealed record RuleResponse(
    Guid Id, string Name, bool Enabled, TriggerBody Trigger, IReadOnlyList<ConditionBody> Conditions, string? Delay,
    IReadOnlyList<ActionBody> Actions, long Version, string? DisabledReason, bool Seeded, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static RuleResponse From(AutomationRule rule)
    {
        var definition = rule.Definition;
        var trigger = definition.Trigger;
        return new RuleResponse(
            rule.Id, rule.Name, rule.Enabled,
            new TriggerBody(trigger.Type, trigger.FromStageId?.ToString(), trigger.ToStageId?.ToString(), trigger.DaysBefore, trigger.Days),
            definition.Conditions.Select(c => new ConditionBody(c.Field, c.Operator, c.Value)).ToList(),
            definition.Delay == TimeSpan.Zero ? null : Durations.Format(definition.Delay),
            definition.Actions.Select(a => new ActionBody(
                a.Type, a.Recipients, a.Title, a.Body, a.ActivityType, a.Subject, a.DueIn is { } dueIn ? Durations.Format(dueIn) : null,
                a.Assignee, a.SubscriptionId?.ToString())).ToList(),
            rule.Version, rule.DisabledReason, rule.SeedKey is not null, rule.CreatedAt, rule.UpdatedAt);
    }
}

/// <summary>ISO 8601 durations, as rules write delays: P3D, PT5S, P1DT12H.</summary>
public static class Durations
{
    public static readonly TimeSpan Longest = TimeSpan.FromDays(365);

    public static bool TryParse(string text, out TimeSpan duration)
    {
        try
        {
            duration = XmlConvert.ToTimeSpan(text.Trim());
            return true;
        }
        catch (FormatException)
        {
            duration = default;
            return false;
        }
        catch (OverflowException)
        {
            duration = default;
            return false;
        }
    }

    public static string Format(TimeSpan duration) => XmlConvert.ToString(duration);
}

/// <summary>What a rule may name, to check that it exists: the organisation's stages and users as this service knows them.</summary>
public sealed record RuleReferences(IReadOnlyDictionary<Guid, PipelineStage> Stages, IReadOnlyDictionary<string, SalesUser> Users);

/// <summary>
/// Turns a rule body into a <see cref="RuleDefinition"/>, or says what is wrong with it, field by field: malformed
/// input (an unknown trigger, operator, field or action, a number compared with text, a delay out of range) is a
/// 400; a well-formed rule naming what does not exist (a stage, a user) or cannot be (stages of two pipelines), a 422.
/// </summary>
public sealed class RuleValidation
{
    public const int MaxConditions = 20;
    public const int MaxActions = 10;
    public const int MaxValues = 50;
    public const int TextMaxLength = 200;
    public const int BodyMaxLength = 2000;

    public Dictionary<string, string[]> Invalid { get; } = [];

    public Dictionary<string, string[]> Unprocessable { get; } = [];

    public static (RuleDefinition? Definition, RuleValidation Errors) Validate(RuleBody body, RuleReferences references)
    {
        var validation = new RuleValidation();
        var definition = validation.Read(body, references);
        return (validation.Invalid.Count + validation.Unprocessable.Count == 0 ? definition : null, validation);
    }

    private RuleDefinition? Read(RuleBody body, RuleReferences references)
    {
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Trim().Length > AutomationRule.NameMaxLength)
        {
            Bad("name", $"A name of 1 to {AutomationRule.NameMaxLength} characters is required.");
        }

        var trigger = ReadTrigger(body.Trigger, references);
        var conditions = new List<RuleCondition>();
        if (body.Conditions is { Count: > MaxConditions })
        {
            Bad("conditions", $"At most {MaxConditions} conditions.");
        }

        for (var i = 0; i < (body.Conditions?.Count ?? 0); i++)
        {
            if (ReadCondition(body.Conditions![i], $"conditions[{i}]", references) is { } condition)
            {
                conditions.Add(condition);
            }
        }

        var delay = TimeSpan.Zero;
        if (body.Delay is not null && ReadDuration(body.Delay, "delay") is { } parsed)
        {
            delay = parsed;
        }

        var actions = new List<RuleAction>();
        if (body.Actions is not { Count: > 0 })
        {
            Bad("actions", "A rule needs at least one action: notify, createActivity, emailContact or webhook.");
        }
        else if (body.Actions.Count > MaxActions)
        {
            Bad("actions", $"At most {MaxActions} actions.");
        }
        else
        {
            for (var i = 0; i < body.Actions.Count; i++)
            {
                if (ReadAction(body.Actions[i], $"actions[{i}]", references) is { } action)
                {
                    actions.Add(action);
                }
            }
        }

        return trigger is null ? null : new RuleDefinition(trigger, conditions, delay, actions);
    }

    private RuleTrigger? ReadTrigger(TriggerBody? body, RuleReferences references)
    {
        if (body is null)
        {
            Bad("trigger", "A trigger is required, e.g. { \"type\": \"QuoteSent\" }.");
            return null;
        }

        if (body.Type is null || !TriggerTypes.All.Contains(body.Type))
        {
            Bad("trigger.type", $"Unknown trigger '{body.Type}'; one of {string.Join(", ", TriggerTypes.All)}.");
            return null;
        }

        Guid? from = null, to = null;
        if (body.Type == TriggerTypes.StageChanged)
        {
            from = ReadStage(body.FromStageId, "trigger.fromStageId", references);
            to = ReadStage(body.ToStageId, "trigger.toStageId", references);
            if (body.FromStageId is null && body.ToStageId is null)
            {
                Bad("trigger", "A StageChanged trigger names the stage left (fromStageId), the stage entered (toStageId) or both.");
            }
            else if (from is { } a && to is { } b)
            {
                if (a == b)
                {
                    Bad("trigger.toStageId", "The stage entered differs from the stage left.");
                }
                else if (references.Stages[a].PipelineId != references.Stages[b].PipelineId)
                {
                    Cannot("trigger.toStageId",
                        $"Stage '{references.Stages[b].Name}' is in pipeline '{references.Stages[b].PipelineName}', and the stage left in '{references.Stages[a].PipelineName}': a deal moves within one pipeline.");
                }
            }
        }
        else if (body.FromStageId is not null || body.ToStageId is not null)
        {
            Bad(body.FromStageId is not null ? "trigger.fromStageId" : "trigger.toStageId", "Only a StageChanged trigger names stages.");
        }

        if (body.Type == TriggerTypes.DecisionDateApproaching && body.DaysBefore is not (>= 0 and <= 365))
        {
            Bad("trigger.daysBefore", "A DecisionDateApproaching trigger says how many days before the decision date: 0 to 365.");
        }
        else if (body.Type != TriggerTypes.DecisionDateApproaching && body.DaysBefore is not null)
        {
            Bad("trigger.daysBefore", "Only a DecisionDateApproaching trigger takes daysBefore.");
        }

        if (body.Type == TriggerTypes.Stale && body.Days is not (null or (>= 1 and <= 365)))
        {
            Bad("trigger.days", "Days without change are from 1 to 365 (or omitted: the stage's rotting days).");
        }
        else if (body.Type != TriggerTypes.Stale && body.Days is not null)
        {
            Bad("trigger.days", "Only a Stale trigger takes days.");
        }

        return new RuleTrigger(body.Type, from, to, body.Type == TriggerTypes.DecisionDateApproaching ? body.DaysBefore : null,
            body.Type == TriggerTypes.Stale ? body.Days : null);
    }

    private Guid? ReadStage(string? text, string field, RuleReferences references)
    {
        if (text is null)
        {
            return null;
        }

        if (!Guid.TryParse(text, out var id))
        {
            Bad(field, $"'{text}' is not a stage id.");
            return null;
        }

        if (!references.Stages.TryGetValue(id, out var stage) || stage.Removed)
        {
            Cannot(field, $"No stage {id} in the organisation's pipelines.");
            return null;
        }

        return id;
    }

    private RuleCondition? ReadCondition(ConditionBody body, string path, RuleReferences references)
    {
        if (body.Field is null || !ConditionFields.All.Contains(body.Field))
        {
            Bad($"{path}.field", $"Unknown field '{body.Field}'; one of {string.Join(", ", ConditionFields.All)}.");
            return null;
        }

        if (body.Operator is null || !Operators.All.Contains(body.Operator))
        {
            Bad($"{path}.operator", $"Unknown operator '{body.Operator}'; one of {string.Join(", ", Operators.All)}.");
            return null;
        }

        var field = body.Field;
        var op = body.Operator;
        if (ConditionFields.IsNumber(field) && op == Operators.Contains)
        {
            Bad($"{path}.operator", $"{field} is a number: compare it with eq, ne, lt, le, gt, ge or in.");
            return null;
        }

        if (!ConditionFields.IsNumber(field) && Operators.IsOrdering(op))
        {
            Bad($"{path}.operator", $"{field} is not a number: compare it with eq, ne, in or contains.");
            return null;
        }

        if (ConditionFields.IsId(field) && op == Operators.Contains)
        {
            Bad($"{path}.operator", $"{field} is an id: compare it with eq, ne or in.");
            return null;
        }

        if (body.Value is not { } value || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            Bad($"{path}.value", "A value to compare with is required.");
            return null;
        }

        IReadOnlyList<JsonElement> values;
        if (op == Operators.In)
        {
            if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() is 0 or > MaxValues)
            {
                Bad($"{path}.value", $"'in' takes an array of 1 to {MaxValues} values.");
                return null;
            }

            values = value.EnumerateArray().ToList();
        }
        else if (value.ValueKind == JsonValueKind.Array)
        {
            Bad($"{path}.value", $"'{op}' compares with one value; use 'in' for a list.");
            return null;
        }
        else
        {
            values = [value];
        }

        foreach (var item in values)
        {
            if (ConditionFields.IsNumber(field))
            {
                if (item.ValueKind != JsonValueKind.Number)
                {
                    Bad($"{path}.value", $"{field} is compared with a number, not {item.GetRawText()}.");
                    return null;
                }

                if (field == ConditionFields.Amount && item.GetDecimal() < 0)
                {
                    Bad($"{path}.value", "Amounts are not negative.");
                    return null;
                }
            }
            else if (item.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(item.GetString()) || item.GetString()!.Length > TextMaxLength)
            {
                Bad($"{path}.value", $"{field} is compared with text of 1 to {TextMaxLength} characters, not {item.GetRawText()}.");
                return null;
            }
            else if (!Exists(field, item.GetString()!, $"{path}.value", references))
            {
                return null;
            }
        }

        return new RuleCondition(field, op, value.Clone());
    }

    private bool Exists(string field, string text, string path, RuleReferences references)
    {
        if (ConditionFields.IsId(field) && !Guid.TryParse(text, out _))
        {
            Bad(path, $"'{text}' is not a {field} id.");
            return false;
        }

        var known = field switch
        {
            ConditionFields.Stage => references.Stages.TryGetValue(Guid.Parse(text), out var stage) && !stage.Removed,
            ConditionFields.Pipeline => references.Stages.Values.Any(s => s.PipelineId == Guid.Parse(text) && !s.Removed),
            ConditionFields.Team => references.Users.Values.Any(u => u.TeamId == Guid.Parse(text)),
            ConditionFields.Owner => references.Users.TryGetValue(text, out var user) && user.Active,
            _ => true,
        };
        if (!known)
        {
            Cannot(path, $"No {(field == ConditionFields.Owner ? "active user" : field)} {text} in the organisation.");
        }

        return known;
    }

    private RuleAction? ReadAction(ActionBody body, string path, RuleReferences references)
    {
        switch (body.Type)
        {
            case ActionTypes.Notify:
                if (body.Recipients is not { Count: > 0 and <= 20 })
                {
                    Bad($"{path}.recipients", "Name 1 to 20 recipients: owner, manager, team or user:<sub>.");
                    return null;
                }

                for (var i = 0; i < body.Recipients.Count; i++)
                {
                    var recipient = body.Recipients[i];
                    if (recipient is Recipients.Owner or Recipients.Manager or Recipients.Team)
                    {
                        continue;
                    }

                    if (Recipients.UserOf(recipient ?? "") is not { } user)
                    {
                        Bad($"{path}.recipients[{i}]", $"Unknown recipient '{recipient}'; owner, manager, team or user:<sub>.");
                    }
                    else if (!references.Users.TryGetValue(user, out var known) || !known.Active)
                    {
                        Cannot($"{path}.recipients[{i}]", $"No active user {user} in the organisation.");
                    }
                }

                Text(body.Title, $"{path}.title", TextMaxLength);
                Text(body.Body, $"{path}.body", BodyMaxLength);
                return new RuleAction(ActionTypes.Notify, Recipients: body.Recipients.Distinct().ToList(), Title: body.Title?.Trim(), Body: body.Body?.Trim());
            case ActionTypes.CreateActivity:
                var type = body.ActivityType ?? "task";
                if (!ActionTypes.ActivityTypes.Contains(type))
                {
                    Bad($"{path}.activityType", $"Unknown activity type '{type}'; one of {string.Join(", ", ActionTypes.ActivityTypes)}.");
                }

                if (string.IsNullOrWhiteSpace(body.Subject) || body.Subject.Trim().Length > TextMaxLength)
                {
                    Bad($"{path}.subject", $"A subject of 1 to {TextMaxLength} characters is required.");
                }

                var dueIn = body.DueIn is null ? null : ReadDuration(body.DueIn, $"{path}.dueIn");
                if (body.Assignee is not (null or Recipients.Owner))
                {
                    if (Recipients.UserOf(body.Assignee) is not { } assignee)
                    {
                        Bad($"{path}.assignee", $"Unknown assignee '{body.Assignee}'; owner or user:<sub>.");
                    }
                    else if (!references.Users.TryGetValue(assignee, out var known) || !known.Active)
                    {
                        Cannot($"{path}.assignee", $"No active user {assignee} in the organisation.");
                    }
                }

                return new RuleAction(ActionTypes.CreateActivity, ActivityType: type, Subject: body.Subject?.Trim(), DueIn: dueIn,
                    Assignee: body.Assignee is null or Recipients.Owner ? null : body.Assignee);
            case ActionTypes.EmailContact:
                return new RuleAction(ActionTypes.EmailContact);
            case ActionTypes.Webhook:
                if (!Guid.TryParse(body.SubscriptionId, out var subscription))
                {
                    Bad($"{path}.subscriptionId", "The id of one of the organisation's webhook subscriptions (POST /api/webhooks) is required.");
                    return null;
                }

                return new RuleAction(ActionTypes.Webhook, SubscriptionId: subscription);
            default:
                Bad($"{path}.type", $"Unknown action '{body.Type}'; one of {string.Join(", ", ActionTypes.All)}.");
                return null;
        }
    }

    private TimeSpan? ReadDuration(string text, string field)
    {
        if (!Durations.TryParse(text, out var duration))
        {
            Bad(field, $"'{text}' is not an ISO 8601 duration such as P3D, PT12H or PT5S.");
            return null;
        }

        if (duration < TimeSpan.Zero)
        {
            Bad(field, "A duration cannot be negative.");
            return null;
        }

        if (duration > Durations.Longest)
        {
            Bad(field, "A duration is at most a year (P365D).");
            return null;
        }

        return duration;
    }

    private void Text(string? text, string field, int maxLength)
    {
        if (text is not null && (string.IsNullOrWhiteSpace(text) || text.Trim().Length > maxLength))
        {
            Bad(field, $"1 to {maxLength} characters when given.");
        }
    }

    private void Bad(string field, string message) => Add(Invalid, field, message);

    private void Cannot(string field, string message) => Add(Unprocessable, field, message);

    private static void Add(Dictionary<string, string[]> errors, string field, string message) =>
        errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
}
