using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Pipeline.Web.Components.Import;

/// <summary>
/// The first lines of an uploaded CSV file: enough to tell Pipeline.Cloud's own format from another CRM's, and to help
/// the admin map a foreign file's columns (their names, a few values, a guess of each column's field and of the date
/// format). The opportunity service reads the whole file; this never decides what is imported.
/// </summary>
public sealed class CsvPreview
{
    /// <summary>The native columns (SPEC §5), and <c>history</c> which import reads too, in the order a mapping offers them.</summary>
    public static readonly string[] Fields =
    [
        "title", "accountName", "contactName", "contactEmail", "amount", "currency", "pipeline", "stage", "status",
        "expectedDecisionDate", "createdAt", "closedAt", "lostReason", "ownerEmail", "source", "segment", "history",
    ];

    /// <summary>The date formats a foreign export commonly uses; ISO 8601 is read whatever the choice.</summary>
    public static readonly string[] DateFormats = ["yyyy-MM-dd", "dd-MM-yy", "dd-MM-yyyy", "dd/MM/yyyy", "MM/dd/yyyy", "dd.MM.yyyy", "MM/dd/yy", "dd/MM/yy"];

    /// <summary>The pseudo-field of a column that gives both the stage and the outcome (a foreign CRM's "deal stage": Prospecting, Won…).</summary>
    public const string StageOutcome = "stageOutcome";

    /// <summary>How a stage is written among a stage or outcome column's meanings (the others are won and lost).</summary>
    public const string StagePrefix = "stage:";

    /// <summary>The most different values of a column whose translation is offered: a stage or status column has a few.</summary>
    public const int MaxDistinct = 30;

    private const int SampleRows = 3;

    private readonly IReadOnlyList<List<string>?> _distinct;

    private CsvPreview(char delimiter, IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<string>> rows, IReadOnlyList<List<string>?> distinct)
    {
        Delimiter = delimiter;
        Columns = columns;
        Rows = rows;
        _distinct = distinct;
    }

    public char Delimiter { get; }

    public IReadOnlyList<string> Columns { get; }

    /// <summary>The first data rows, to show what each column holds.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Rows { get; }

    /// <summary>Every column is a native field: the file goes to the API without a mapping.</summary>
    public bool IsNative => Columns.Count > 0 && Columns.All(c => Fields.Contains(c.Trim(), StringComparer.OrdinalIgnoreCase));

    /// <summary>
    /// Reads the header and every record once: the first rows are kept as samples, and each column's different values
    /// (up to <see cref="MaxDistinct"/>) so that the mapping can translate a stage or status column's values.
    /// </summary>
    public static async Task<CsvPreview> ReadAsync(Stream csv, CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(csv, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var header = await reader.ReadLineAsync(cancellationToken) ?? "";
        var delimiter = DelimiterOf(header);
        var columns = header.Trim().Length == 0 ? [] : Split(header, delimiter);
        var distinct = columns.Select(_ => (List<string>?)[]).ToArray();
        var rows = new List<IReadOnlyList<string>>();
        // A quoted value may span lines: read on until the record's quotes are closed.
        var record = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            record.Append(record.Length > 0 ? "\n" : "").Append(line);
            var text = record.ToString();
            if (text.Count(c => c == '"') % 2 != 0)
            {
                continue;
            }

            if (text.Trim().Length > 0)
            {
                var fields = Split(text, delimiter);
                if (rows.Count < SampleRows)
                {
                    rows.Add(fields);
                }

                Collect(distinct, fields);
            }

            record.Clear();
        }

        return new CsvPreview(delimiter, columns, rows, distinct);
    }

    /// <summary>The different values of a column (matched as the import matches them: ignoring case and spaces around), in their order of appearance; null when there are more than <see cref="MaxDistinct"/>.</summary>
    public IReadOnlyList<string>? DistinctValues(int column) => column < _distinct.Count ? _distinct[column] : null;

    /// <summary>
    /// The import's options (the opportunity service's ImportOptions): the columns given a field, the translation of their
    /// values, the date format, the delimiter when not a comma; null for a native comma-separated file, which needs none.
    /// </summary>
    /// <param name="translations">Per column, a value of the file → what it means (<see cref="Translate"/>); a value without one is imported as it is.</param>
    public string? Options(IReadOnlyDictionary<string, string?>? fieldOfColumn, string? dateFormat,
        IReadOnlyDictionary<string, Dictionary<string, string>>? translations = null)
    {
        var columns = fieldOfColumn?.Where(c => c.Value is not null)
            .ToDictionary(c => c.Key, c => c.Value == StageOutcome ? (object)new[] { "status", "stage" } : c.Value!);
        var values = new Dictionary<string, Dictionary<string, string>>();
        foreach (var (column, field) in fieldOfColumn ?? new Dictionary<string, string?>())
        {
            if (field is not null && translations?.GetValueOrDefault(column) is { } translation)
            {
                foreach (var (value, meaning) in translation.Where(t => t.Value.Length > 0))
                {
                    foreach (var (target, targetValue) in Translate(field, meaning))
                    {
                        values.TryAdd(target, []);
                        values[target][value] = targetValue;
                    }
                }
            }
        }

        var options = new Dictionary<string, object>();
        if (columns is { Count: > 0 })
        {
            options["columns"] = columns;
        }

        if (values.Count > 0)
        {
            options["values"] = values;
        }

        if (dateFormat is not null)
        {
            options["dateFormat"] = dateFormat;
        }

        if (Delimiter != ',')
        {
            options["delimiter"] = Delimiter.ToString();
        }

        return options.Count == 0 ? null : JsonSerializer.Serialize(options);
    }

    /// <summary>
    /// What a value's meaning gives each field: a stage's name to <c>stage</c>, open/won/lost to <c>status</c>; for a stage
    /// or outcome column, a stage (<c>stage:Proposal</c>) is an open deal in it, and won or lost a closed deal without a
    /// stage, which the import decides at the pipeline's last stage.
    /// </summary>
    public static IEnumerable<(string Field, string Value)> Translate(string field, string meaning) => field switch
    {
        StageOutcome when meaning.StartsWith(StagePrefix, StringComparison.Ordinal) => [("status", "open"), ("stage", meaning[StagePrefix.Length..])],
        StageOutcome => [("status", meaning), ("stage", "")],
        _ => [(field, meaning)],
    };

    /// <summary>
    /// What a value most likely means, or "" (as it is): a stage named like it; for a status, open, won or lost when the
    /// value says so ("Closed Won").
    /// </summary>
    public static string GuessMeaning(string field, string value, IReadOnlyList<string> stages)
    {
        var stage = stages.FirstOrDefault(s => string.Equals(s.Trim(), value.Trim(), StringComparison.OrdinalIgnoreCase));
        var words = Normalized(value);
        var status = words == "open" ? "open" : words.Contains("won", StringComparison.Ordinal) ? "won" : words.Contains("lost", StringComparison.Ordinal) ? "lost" : "";
        return field switch
        {
            "stage" => stage ?? "",
            "status" => status,
            StageOutcome => stage is not null ? StagePrefix + stage : status is "won" or "lost" ? status : "",
            _ => "",
        };
    }

    /// <summary>Whether a column mapped to <paramref name="field"/> has its values translated.</summary>
    public static bool Translatable(string? field) => field is "stage" or "status" or StageOutcome;

    private static void Collect(List<string>?[] distinct, List<string> fields)
    {
        for (var column = 0; column < distinct.Length && column < fields.Count; column++)
        {
            var value = fields[column].Trim();
            if (distinct[column] is { } values && value.Length > 0 && !values.Contains(value, StringComparer.OrdinalIgnoreCase))
            {
                values.Add(value);
                if (values.Count > MaxDistinct)
                {
                    distinct[column] = null;
                }
            }
        }
    }

    /// <summary>The values of a column in the first rows.</summary>
    public IEnumerable<string> Samples(int column) =>
        Rows.Where(r => column < r.Count).Select(r => r[column]).Where(v => v.Trim().Length > 0);

    /// <summary>
    /// The field a column most likely gives, by its name: the field itself (<c>amount</c>, <c>Amount</c>), or a field it
    /// begins (<c>account</c> → accountName, <c>owner</c> → ownerEmail); else none (ignored until the admin picks one).
    /// </summary>
    public static string? GuessField(string column)
    {
        var name = Normalized(column);
        if (name.Length == 0)
        {
            return null;
        }

        return Fields.FirstOrDefault(f => Normalized(f) == name) ?? Fields.FirstOrDefault(f => Normalized(f).StartsWith(name, StringComparison.Ordinal));
    }

    /// <summary>The first format that reads every date-like value of the first rows, else ISO 8601.</summary>
    public string GuessDateFormat()
    {
        var values = Rows.SelectMany(r => r).Where(v => v.Length is >= 6 and <= 10 && v.Count(char.IsDigit) >= 4 && v.Any(c => c is '-' or '/' or '.')).ToList();
        return DateFormats.FirstOrDefault(format => values.Count > 0 && values.All(v => Reads(v, format))) ?? DateFormats[0];
    }

    public static bool Reads(string value, string format) =>
        DateTime.TryParseExact(value.Trim(), format, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    private static string Normalized(string name) =>
        new string(name.Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant();

    /// <summary>Comma unless the header has more semicolons or tabs (spreadsheets in many European locales write semicolons).</summary>
    private static char DelimiterOf(string header)
    {
        char[] candidates = [',', ';', '\t'];
        var outside = OutsideQuotes(header);
        return candidates.OrderByDescending(c => outside.Count(ch => ch == c)).ThenBy(c => Array.IndexOf(candidates, c)).First();
    }

    private static string OutsideQuotes(string line)
    {
        var text = new StringBuilder();
        var quoted = false;
        foreach (var c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted)
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    /// <summary>One record's fields (RFC 4180: quotes around a field, a doubled quote inside it).</summary>
    private static List<string> Split(string record, char delimiter)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < record.Length; i++)
        {
            var c = record[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < record.Length && record[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == delimiter)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c != '\r')
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
