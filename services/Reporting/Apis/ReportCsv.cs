using System.Globalization;
using System.Reflection;
using System.Text;

namespace Pipeline.Reporting.Apis;

/// <summary>Reports as CSV (<c>format=csv</c>), for a spreadsheet: one header line, one line per row.</summary>
internal static class ReportCsv
{
    public static IResult Summary(SummaryReport report) => Rows([report with { ByCurrency = [], MissingRates = [] }], "summary");

    public static IResult Funnel(FunnelReport report) => Rows(report.Stages, "funnel");

    public static IResult Forecast(ForecastReport report) => Rows([.. report.Months, report.Overdue, report.Undated], "forecast");

    public static IResult WinLoss(WinLossReport report) => Rows(report.Groups, $"win-loss-{report.GroupBy}");

    public static IResult Rows<T>(IReadOnlyList<T> rows, string name)
    {
        var columns = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.PropertyType.IsValueType || p.PropertyType == typeof(string) || Nullable.GetUnderlyingType(p.PropertyType) is not null)
            .ToArray();
        var csv = new StringBuilder();
        csv.AppendLine(string.Join(',', columns.Select(c => char.ToLowerInvariant(c.Name[0]) + c.Name[1..])));
        foreach (var row in rows)
        {
            csv.AppendLine(string.Join(',', columns.Select(c => Field(c.GetValue(row)))));
        }

        return Results.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", $"{name}.csv");
    }

    private static string Field(object? value)
    {
        var text = value switch
        {
            null => "",
            DateTimeOffset at => at.ToString("O", CultureInfo.InvariantCulture),
            DateOnly day => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{text.Replace("\"", "\"\"")}\"" : text;
    }
}
