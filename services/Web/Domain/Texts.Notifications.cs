namespace Pipeline.Web.Domain;

/// <summary>The bell, the inbox and the notification preferences.</summary>
public static partial class Texts
{
    private static Dictionary<string, string> NotificationsEnglish => new()
    {
    };

    private static Dictionary<string, string> NotificationsFrench => new()
    {
    };
}
