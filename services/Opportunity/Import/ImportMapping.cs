using System.Globalization;

namespace Pipeline.Opportunity.Import;

/// <summary>
/// The options applied to one file's header: for each field, the column it comes from, its translation, its fill
/// and its default. A field's value is the column's (translated); when that is empty (or a zero amount) the fill's;
/// when still empty the default.
/// </summary>
public sealed class ImportMapping
{
    private readonly Source[] _sources;

    private ImportMapping(Source[] sources, int columnCount)
    {
        _sources = sources;
        ColumnCount = columnCount;
    }

    public int ColumnCount { get; }

    private sealed record Source(int Column, Dictionary<string, string>? Values, int FillColumn, Dictionary<string, string>? FillValues, string? Default);

    /// <summary>
    /// Checks the options against the header; null with <paramref name="errors"/> filled when they do not fit. Columns named
    /// after a field map to it unless the options map that field from elsewhere; without a <c>columns</c> mapping, any other
    /// column is an error (so that no data is dropped silently); with one, unmapped columns are ignored.
    /// </summary>
    public static ImportMapping? Compile(ImportOptions options, IReadOnlyList<string> header, Dictionary<string, string[]> errors)
    {
        var names = header.Select(h => h.Trim()).ToArray();
        var headerProblems = new List<string>();
        if (names.Any(string.IsNullOrEmpty))
        {
            headerProblems.Add("Every column of the first line (the header) needs a name.");
        }

        var duplicates = names.Where(n => n.Length > 0).GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => $"'{g.Key}'").ToList();
        if (duplicates.Count > 0)
        {
            headerProblems.Add($"Column names appear twice: {string.Join(", ", duplicates)}.");
        }

        var columnOf = new int[OpportunityCsv.FieldCount];
        Array.Fill(columnOf, -1);
        foreach (var (column, fields) in options.Columns)
        {
            var index = IndexOf(names, column);
            if (index < 0)
            {
                errors[$"options.columns.{column}"] = [$"No column '{column}' in the file's header ({Describe(names)})."];
                continue;
            }

            foreach (var field in fields)
            {
                if (columnOf[(int)field] >= 0 && columnOf[(int)field] != index)
                {
                    errors[$"options.columns.{column}"] = [$"The field {OpportunityCsv.NameOf(field)} is mapped from '{names[columnOf[(int)field]]}' already."];
                }

                columnOf[(int)field] = index;
            }
        }

        var unknown = new List<string>();
        for (var index = 0; index < names.Length; index++)
        {
            var mapped = options.Columns.ContainsKey(names[index]);
            if (!mapped && OpportunityCsv.TryParse(names[index], out var field))
            {
                if (columnOf[(int)field] < 0)
                {
                    columnOf[(int)field] = index;
                }
            }
            else if (!mapped && options.Columns.Count == 0 && names[index].Length > 0)
            {
                unknown.Add($"'{names[index]}'");
            }
        }

        if (unknown.Count > 0)
        {
            var hint = names.Length == 1 && (names[0].Contains(';') || names[0].Contains('\t'))
                ? " The file seems to use another delimiter: set options.delimiter."
                : " Map them with options.columns, or check that the first line is the header.";
            headerProblems.Add($"Unknown columns {string.Join(", ", unknown)}; the native columns are {string.Join(",", OpportunityCsv.Fields)}.{hint}");
        }

        if (headerProblems.Count > 0)
        {
            errors["header"] = [.. headerProblems];
        }

        var sources = new Source[OpportunityCsv.FieldCount];
        foreach (var field in Enum.GetValues<CsvField>())
        {
            var fillColumn = -1;
            Dictionary<string, string>? fillValues = null;
            if (options.Fill.TryGetValue(field, out var fill))
            {
                fillColumn = IndexOf(names, fill.FromColumn);
                fillValues = fill.Values;
                if (fillColumn < 0)
                {
                    errors[$"options.fill.{OpportunityCsv.NameOf(field)}.fromColumn"] = [$"No column '{fill.FromColumn}' in the file's header ({Describe(names)})."];
                }
            }

            sources[(int)field] = new Source(columnOf[(int)field], options.Values.GetValueOrDefault(field), fillColumn, fillValues,
                options.Defaults.GetValueOrDefault(field));
        }

        if (sources[(int)CsvField.Title] is { Column: < 0, FillColumn: < 0, Default: null or "" })
        {
            errors["options.columns"] = ["No column gives the title: map one to it (e.g. \"product\": \"title\") or give a default."];
        }

        return errors.Count == 0 ? new ImportMapping(sources, names.Length) : null;
    }

    /// <summary>The field's value in a record, trimmed; empty when there is none.</summary>
    public string Value(CsvField field, IReadOnlyList<string> record)
    {
        var source = _sources[(int)field];
        var value = source.Column >= 0 ? record[source.Column].Trim() : string.Empty;
        if (source.Values is not null && source.Values.TryGetValue(value, out var translated))
        {
            value = translated;
        }

        if (source.FillColumn >= 0 && IsMissing(field, value))
        {
            var from = record[source.FillColumn].Trim();
            if (source.FillValues is null)
            {
                value = from;
            }
            else if (source.FillValues.TryGetValue(from, out var filled))
            {
                value = filled;
            }
        }

        return value.Length == 0 && source.Default is not null ? source.Default : value;
    }

    /// <summary>Foreign exports write 0 for "no value" (a lost deal's amount): a fill applies then too.</summary>
    private static bool IsMissing(CsvField field, string value) =>
        value.Length == 0
        || (field == CsvField.Amount && decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount) && amount == 0);

    private static int IndexOf(string[] names, string column)
    {
        var exact = Array.IndexOf(names, column.Trim());
        return exact >= 0 ? exact : Array.FindIndex(names, n => string.Equals(n, column.Trim(), StringComparison.OrdinalIgnoreCase));
    }

    private static string Describe(string[] names) => string.Join(", ", names.Take(30).Select(n => $"'{n}'")) + (names.Length > 30 ? ", ..." : "");
}
