using Pipeline.Messaging.Tenancy;

namespace Pipeline.Notification.Domain;

/// <summary>The kinds of notification a user can route, with the channels each takes until the user chooses.</summary>
public static class NotificationKinds
{
    public const string General = "general";
    public const string Rule = "rule";
    public const string StageAlert = "stage-alert";
    public const string QuoteReminder = "quote-reminder";
    public const string Digest = "digest";
    public const string WebhookPaused = "webhook-paused";

    public static readonly IReadOnlyDictionary<string, ChannelChoice> Defaults = new Dictionary<string, ChannelChoice>
    {
        [General] = new(InApp: true, Email: false),
        [Rule] = new(InApp: true, Email: false),
        [StageAlert] = new(InApp: true, Email: true),
        [QuoteReminder] = new(InApp: true, Email: true),
        // A daily list of overdue activities is a mail to read in the morning, not a badge.
        [Digest] = new(InApp: false, Email: true),
        [WebhookPaused] = new(InApp: true, Email: true),
    };

    /// <summary>A kind no preference names (a sender's own) is routed as <see cref="General"/>.</summary>
    public static string Known(string? kind) => kind is not null && Defaults.ContainsKey(kind) ? kind : General;
}

public sealed record ChannelChoice(bool InApp, bool Email);

/// <summary>The channels a notification reaches a user on.</summary>
public static class Channels
{
    public const string InApp = "inbox";
    public const string Email = "email";

    public static readonly string[] All = [InApp, Email];
}

/// <summary>A user's choices: per kind, which channels; and the language of their e-mail.</summary>
public sealed class NotificationPreferences : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public required string UserId { get; init; }

    /// <summary><c>en</c> or <c>fr</c>; null until the user chooses (e-mail then goes out in English).</summary>
    public string? Language { get; set; }

    public List<KindPreference> Kinds { get; set; } = [];

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>
    /// The channels a notification of <paramref name="kind"/> takes. Until the user has chosen for that kind, its
    /// defaults plus the channel the sender asked for; once chosen, exactly the user's choice.
    /// </summary>
    public static ChannelChoice Resolve(NotificationPreferences? preferences, string kind, string requestedChannel)
    {
        var known = NotificationKinds.Known(kind);
        if (preferences?.Kinds.FirstOrDefault(k => k.Kind == known) is { } chosen)
        {
            return new ChannelChoice(chosen.InApp, chosen.Email);
        }

        var defaults = NotificationKinds.Defaults[known];
        return new ChannelChoice(
            defaults.InApp || requestedChannel == Channels.InApp,
            defaults.Email || requestedChannel == Channels.Email);
    }
}

public sealed class KindPreference
{
    public required string Kind { get; set; }

    public bool InApp { get; set; }

    public bool Email { get; set; }
}

public static class Languages
{
    public const string English = "en";
    public const string French = "fr";

    public static readonly string[] Supported = [English, French];
}
