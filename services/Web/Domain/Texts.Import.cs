namespace Pipeline.Web.Domain;

/// <summary>Import and export.</summary>
public static partial class Texts
{
    private static Dictionary<string, string> ImportEnglish => new()
    {
    };

    private static Dictionary<string, string> ImportFrench => new()
    {
    };
}
