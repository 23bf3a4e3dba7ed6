namespace Pipeline.Web.Domain;

/// <summary>The KPI dashboard.</summary>
public static partial class Texts
{
    private static Dictionary<string, string> DashboardEnglish => new()
    {
    };

    private static Dictionary<string, string> DashboardFrench => new()
    {
    };
}
