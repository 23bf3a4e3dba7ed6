namespace Pipeline.Web.Domain;

/// <summary>The pipeline review of the sales meeting.</summary>
public static partial class Texts
{
    private static Dictionary<string, string> ReviewEnglish => new()
    {
    };

    private static Dictionary<string, string> ReviewFrench => new()
    {
    };
}
