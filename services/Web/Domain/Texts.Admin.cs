namespace Pipeline.Web.Domain;

/// <summary>The admin screens: pipelines and stages, organisation, exchange rates, webhooks, API clients.</summary>
public static partial class Texts
{
    private static Dictionary<string, string> AdminEnglish => new()
    {
    };

    private static Dictionary<string, string> AdminFrench => new()
    {
    };
}
