namespace Pipeline.Web.Domain;

/// <summary>The automation rules, their editor, simulation and runs.</summary>
public static partial class Texts
{
    private static Dictionary<string, string> AutomationEnglish => new()
    {
    };

    private static Dictionary<string, string> AutomationFrench => new()
    {
    };
}
