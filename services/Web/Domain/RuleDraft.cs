using System.Globalization;
using System.Text.Json;
using System.Xml;
using Pipeline.Web.ApiClients.Automation;
using ConditionValue = Pipeline.Web.ApiClients.Automation.JsonElement;

namespace Pipeline.Web.Domain;

/// <summary>
/// A rule as the editor holds it while an admin writes it: only the choices the automation API accepts, in the shapes
/// a person picks them (a stage by name, a delay in days and hours), turned into the API's rule body on save or simulation.
/// </summary>
public sealed class RuleDraft
{
    public static readonly string[] Triggers =
        ["QuoteSent", "StageChanged", "OpportunityCreated", "OpportunityWon", "OpportunityLost", "DecisionDateApproaching", "Stale"];

    public string Name { get; set; } = "";

    public bool Enabled { get; set; } = true;

    public string Trigger { get; set; } = "QuoteSent";

    public Guid? FromStageId { get; set; }

    public Guid? ToStageId { get; set; }

    public int DaysBefore { get; set; } = 7;

    /// <summary>Stale: days without change; none means the stage's own rotting days.</summary>
    public int? StaleDays { get; set; }

    public List<ConditionDraft> Conditions { get; } = [];

    public FriendlyDuration Delay { get; set; } = new();

    public List<ActionDraft> Actions { get; } = [];

    public static RuleDraft New() => new() { Actions = { new ActionDraft { Type = "createActivity" } } };

    public static RuleDraft From(RuleResponse rule)
    {
        var draft = new RuleDraft
        {
            Name = rule.Name, Enabled = rule.Enabled, Trigger = rule.Trigger.Type ?? "QuoteSent",
            FromStageId = Guid.TryParse(rule.Trigger.FromStageId, out var from) ? from : null,
            ToStageId = Guid.TryParse(rule.Trigger.ToStageId, out var to) ? to : null,
            DaysBefore = rule.Trigger.DaysBefore ?? 7, StaleDays = rule.Trigger.Days,
            Delay = FriendlyDuration.Parse(rule.Delay),
        };
        draft.Conditions.AddRange(rule.Conditions.Select(ConditionDraft.From));
        draft.Actions.AddRange(rule.Actions.Select(ActionDraft.From));
        return draft;
    }

    public RuleBody ToBody() => new()
    {
        Name = Name.Trim(),
        Enabled = Enabled,
        Trigger = new TriggerBody
        {
            Type = Trigger,
            FromStageId = Trigger == "StageChanged" ? FromStageId?.ToString() : null,
            ToStageId = Trigger == "StageChanged" ? ToStageId?.ToString() : null,
            DaysBefore = Trigger == "DecisionDateApproaching" ? DaysBefore : null,
            Days = Trigger == "Stale" ? StaleDays : null,
        },
        Conditions = Conditions.Select(c => c.ToBody()).ToList(),
        Delay = Delay.ToIso(),
        Actions = Actions.Select(a => a.ToBody()).ToList(),
    };
}

/// <summary>What a condition's field holds, which decides the operators offered and how its value is picked.</summary>
public enum ConditionKind
{
    /// <summary>amount (in the organisation's currency), probability.</summary>
    Number,

    /// <summary>segment, source, title, currency: typed.</summary>
    Text,

    /// <summary>pipeline, stage, owner, team: picked from the organisation's own.</summary>
    Reference,
}

public sealed class ConditionDraft
{
    public static readonly string[] Fields = ["amount", "segment", "source", "pipeline", "stage", "owner", "team", "currency", "probability", "title"];

    private string _field = "amount";

    public string Field
    {
        get => _field;
        set
        {
            _field = value;
            if (!Operators(value).Contains(Operator))
            {
                Operator = Operators(value)[0];
            }

            Picked = [];
            Text = null;
        }
    }

    public string Operator { get; set; } = "lt";

    public decimal? Number { get; set; }

    /// <summary>Text fields: one value, or for <c>in</c> several separated by commas.</summary>
    public string? Text { get; set; }

    /// <summary>Reference fields: the ids picked (one, or several for <c>in</c>).</summary>
    public IReadOnlyCollection<string> Picked { get; set; } = [];

    public ConditionKind Kind => KindOf(Field);

    public static ConditionKind KindOf(string field) => field switch
    {
        "amount" or "probability" => ConditionKind.Number,
        "pipeline" or "stage" or "owner" or "team" => ConditionKind.Reference,
        _ => ConditionKind.Text,
    };

    /// <summary>The operators the API accepts for the field: no ordering of text, no "contains" for a number or an id.</summary>
    public static string[] Operators(string field) => KindOf(field) switch
    {
        ConditionKind.Number => ["lt", "le", "gt", "ge", "eq", "ne"],
        ConditionKind.Reference => ["eq", "ne", "in"],
        _ => ["eq", "ne", "in", "contains"],
    };

    public static ConditionDraft From(ConditionBody body)
    {
        var draft = new ConditionDraft { Field = body.Field ?? "amount", Operator = body.Operator ?? "eq" };
        var value = body.Value?.Json;
        var values = value is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray().ToList() : value is { } one ? [one] : [];
        switch (draft.Kind)
        {
            case ConditionKind.Number:
                draft.Number = values.FirstOrDefault() is { ValueKind: JsonValueKind.Number } number ? number.GetDecimal() : null;
                break;
            case ConditionKind.Reference:
                draft.Picked = values.Select(v => v.ToString()).ToList();
                break;
            default:
                draft.Text = string.Join(", ", values.Select(v => v.ToString()));
                break;
        }

        return draft;
    }

    public ConditionBody ToBody() => new() { Field = Field, Operator = Operator, Value = Value() };

    /// <summary>
    /// The JSON value the API compares with; an empty one is sent as null so that the API's own message ("a value to
    /// compare with is required") appears beside the field.
    /// </summary>
    private ConditionValue Value()
    {
        object? value = Kind switch
        {
            ConditionKind.Number => Number,
            ConditionKind.Reference when Operator == "in" => Picked.Count == 0 ? null : Picked.ToList(),
            ConditionKind.Reference => Picked.FirstOrDefault(),
            _ when Operator == "in" => Words(Text) is { Count: > 0 } words ? words : null,
            _ => string.IsNullOrWhiteSpace(Text) ? null : Text.Trim(),
        };
        return new ConditionValue { Json = JsonSerializer.SerializeToElement(value) };
    }

    private static List<string> Words(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}

public sealed class ActionDraft
{
    public static readonly string[] Types = ["createActivity", "notify", "emailContact", "webhook"];

    public static readonly string[] ActivityTypes = ["task", "call", "email", "meeting"];

    public string Type { get; set; } = "createActivity";

    /// <summary>notify: owner, manager, team.</summary>
    public IReadOnlyCollection<string> Roles { get; set; } = ["owner"];

    /// <summary>notify: named users, by id.</summary>
    public IReadOnlyCollection<string> Users { get; set; } = [];

    public string? Title { get; set; }

    public string? Body { get; set; }

    public string ActivityType { get; set; } = "task";

    public string? Subject { get; set; }

    public FriendlyDuration DueIn { get; set; } = new() { Days = 1 };

    /// <summary>createActivity: the owner when null, else a user's id.</summary>
    public string? Assignee { get; set; }

    public Guid? SubscriptionId { get; set; }

    public static ActionDraft From(ActionBody body)
    {
        var recipients = body.Recipients ?? [];
        return new ActionDraft
        {
            Type = body.Type ?? "notify",
            Roles = recipients.Where(r => !r.StartsWith("user:", StringComparison.Ordinal)).ToList(),
            Users = recipients.Where(r => r.StartsWith("user:", StringComparison.Ordinal)).Select(r => r["user:".Length..]).ToList(),
            Title = body.Title, Body = body.Body, ActivityType = body.ActivityType ?? "task", Subject = body.Subject,
            DueIn = FriendlyDuration.Parse(body.DueIn),
            Assignee = body.Assignee?.StartsWith("user:", StringComparison.Ordinal) == true ? body.Assignee["user:".Length..] : null,
            SubscriptionId = Guid.TryParse(body.SubscriptionId, out var subscription) ? subscription : null,
        };
    }

    public ActionBody ToBody() => Type switch
    {
        "notify" => new ActionBody
        {
            Type = Type, Recipients = Roles.Concat(Users.Select(u => "user:" + u)).ToList(), Title = Blank(Title), Body = Blank(Body),
        },
        "createActivity" => new ActionBody
        {
            Type = Type, ActivityType = ActivityType, Subject = Subject, DueIn = DueIn.ToIso(), Assignee = Assignee is null ? null : "user:" + Assignee,
        },
        "webhook" => new ActionBody { Type = Type, SubscriptionId = SubscriptionId?.ToString() },
        _ => new ActionBody { Type = Type },
    };

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}

/// <summary>
/// A duration as a person gives it (days, hours, minutes), written as ISO 8601 for the API (P3D, PT12H, P1DT30M). What a
/// rule written elsewhere holds below the minute (PT5S) is kept as it is, so that opening and saving a rule changes nothing.
/// </summary>
public sealed class FriendlyDuration
{
    public int Days { get; set; }

    public int Hours { get; set; }

    public int Minutes { get; set; }

    public TimeSpan Seconds { get; private init; }

    public TimeSpan Span => new TimeSpan(Days, Hours, Minutes, 0) + Seconds;

    public static FriendlyDuration Parse(string? iso)
    {
        if (string.IsNullOrWhiteSpace(iso))
        {
            return new FriendlyDuration();
        }

        var span = XmlConvert.ToTimeSpan(iso);
        return new FriendlyDuration
        {
            Days = span.Days, Hours = span.Hours, Minutes = span.Minutes, Seconds = span - new TimeSpan(span.Days, span.Hours, span.Minutes, 0),
        };
    }

    /// <summary>Null for no delay: the API takes none as "at once".</summary>
    public string? ToIso() => Span == TimeSpan.Zero ? null : XmlConvert.ToString(Span);

    /// <summary>"3 d 4 h" in the user's language; "at once" for none.</summary>
    public string Describe(CultureInfo culture)
    {
        var parts = new List<string>();
        void Add(int count, string unit)
        {
            if (count > 0)
            {
                parts.Add($"{count.ToString(culture)} {Texts.Get(unit)}");
            }
        }

        Add(Days, "Automation.DaysShort");
        Add(Hours, "Automation.HoursShort");
        Add(Minutes, "Automation.MinutesShort");
        Add((int)Math.Ceiling(Seconds.TotalSeconds), "Automation.SecondsShort");
        return parts.Count == 0 ? Texts.Get("Automation.AtOnce") : string.Join(" ", parts);
    }
}
