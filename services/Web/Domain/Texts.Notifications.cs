namespace Pipeline.Web.Domain;

/// <summary>The bell, the inbox and the notification preferences.</summary>
public static partial class Texts
{
    private static Dictionary<string, string> NotificationsEnglish => new()
    {
        ["Notifications.NoneUnread"] = "No unread notifications", ["Notifications.OneUnread"] = "1 unread notification",
        ["Notifications.Unread"] = "{0} unread notifications", ["Notifications.SeeAll"] = "See all notifications",
        ["Notifications.Empty"] = "No notifications yet.", ["Notifications.NothingUnread"] = "No unread notifications: you are up to date.",
        ["Notifications.UnreadOnly"] = "Unread only", ["Notifications.MarkRead"] = "Mark read", ["Notifications.MarkReadOf"] = "Mark read: {0}", ["Notifications.MarkAllRead"] = "Mark all read",
        ["Notifications.IsUnread"] = "Unread", ["Notifications.IsRead"] = "Read", ["Notifications.AllMarked"] = "All notifications marked read.",
        ["Notifications.Forbidden"] = "You may not read these notifications.",
        ["Notifications.Failed"] = "The notification service did not answer: {0}",
        ["Notifications.PreferencesHelp"] = "For each kind of notification, choose where it reaches you: in the app (the bell and this inbox) and by e-mail.",
        ["Notifications.Kind"] = "Kind of notification", ["Notifications.InApp"] = "In the app", ["Notifications.Email"] = "By e-mail",
        ["Notifications.Default"] = "default", ["Notifications.Channel"] = "{0}: {1}", ["Notifications.Language"] = "Language of the e-mails",
        ["Notifications.LanguageDefault"] = "Default (English)", ["Notifications.English"] = "English", ["Notifications.French"] = "French",
        ["Notifications.PreferencesSaved"] = "Your notification preferences are saved.",
        ["Notifications.PreferencesForbidden"] = "You may not change these notification preferences.",
        ["Notifications.Kind.general"] = "General", ["Notifications.Kind.rule"] = "Automation rules",
        ["Notifications.Kind.stage-alert"] = "Stage alerts", ["Notifications.Kind.quote-reminder"] = "Quote reminders",
        ["Notifications.Kind.digest"] = "Daily list of overdue activities", ["Notifications.Kind.webhook-paused"] = "Paused webhooks",
    };

    private static Dictionary<string, string> NotificationsFrench => new()
    {
        ["Notifications.NoneUnread"] = "Aucune notification non lue", ["Notifications.OneUnread"] = "1 notification non lue",
        ["Notifications.Unread"] = "{0} notifications non lues", ["Notifications.SeeAll"] = "Voir toutes les notifications",
        ["Notifications.Empty"] = "Aucune notification pour l'instant.", ["Notifications.NothingUnread"] = "Aucune notification non lue : vous êtes à jour.",
        ["Notifications.UnreadOnly"] = "Non lues seulement", ["Notifications.MarkRead"] = "Marquer comme lue", ["Notifications.MarkReadOf"] = "Marquer comme lue : {0}", ["Notifications.MarkAllRead"] = "Tout marquer comme lu",
        ["Notifications.IsUnread"] = "Non lue", ["Notifications.IsRead"] = "Lue", ["Notifications.AllMarked"] = "Toutes les notifications sont marquées comme lues.",
        ["Notifications.Forbidden"] = "Vous ne pouvez pas lire ces notifications.",
        ["Notifications.Failed"] = "Le service de notification n'a pas répondu : {0}",
        ["Notifications.PreferencesHelp"] = "Pour chaque sorte de notification, choisissez où elle vous parvient : dans l'application (la cloche et cette boîte) et par e-mail.",
        ["Notifications.Kind"] = "Sorte de notification", ["Notifications.InApp"] = "Dans l'application", ["Notifications.Email"] = "Par e-mail",
        ["Notifications.Default"] = "par défaut", ["Notifications.Channel"] = "{0} : {1}", ["Notifications.Language"] = "Langue des e-mails",
        ["Notifications.LanguageDefault"] = "Par défaut (anglais)", ["Notifications.English"] = "Anglais", ["Notifications.French"] = "Français",
        ["Notifications.PreferencesSaved"] = "Vos préférences de notification sont enregistrées.",
        ["Notifications.PreferencesForbidden"] = "Vous ne pouvez pas modifier ces préférences de notification.",
        ["Notifications.Kind.general"] = "Général", ["Notifications.Kind.rule"] = "Règles d'automatisation",
        ["Notifications.Kind.stage-alert"] = "Alertes d'étape", ["Notifications.Kind.quote-reminder"] = "Relances de devis",
        ["Notifications.Kind.digest"] = "Liste quotidienne des activités en retard", ["Notifications.Kind.webhook-paused"] = "Webhooks suspendus",
    };
}
