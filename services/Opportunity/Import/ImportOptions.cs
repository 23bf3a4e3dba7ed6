using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Opportunity.Import;

/// <summary>
/// How to read a foreign CRM's file: which column gives which field (<c>columns</c>), value translations
/// (<c>values</c>), a fallback from another column when a value is missing (<c>fill</c>), the date format, defaults
/// and the delimiter. A native file needs none of it.
/// </summary>
public sealed class ImportOptions
{
    public const int MaxJsonLength = 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>CSV column → the fields it gives (one column may give several, e.g. a deal stage → status and stage).</summary>
    public Dictionary<string, List<CsvField>> Columns { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<CsvField, Dictionary<string, string>> Values { get; } = [];

    public Dictionary<CsvField, FillRule> Fill { get; } = [];

    public Dictionary<CsvField, string> Defaults { get; } = [];

    public string? DateFormat { get; private set; }

    public char Delimiter { get; private set; } = ',';

    public sealed record FillRule(string FromColumn, Dictionary<string, string>? Values);

    /// <summary>The options as a client writes them. Field names are checked afterwards, so that every unknown one is named.</summary>
    private sealed record Document(
        Dictionary<string, FieldNames>? Columns,
        Dictionary<string, Dictionary<string, Text>>? Values,
        Dictionary<string, FillDocument>? Fill,
        Dictionary<string, Text>? Defaults,
        string? DateFormat,
        string? Delimiter)
    {
        /// <summary>Options this version does not know: each is reported, never ignored.</summary>
        [JsonExtensionData]
        public Dictionary<string, JsonElement>? Unknown { get; init; }
    }

    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
    private sealed record FillDocument(string? FromColumn, Dictionary<string, Text>? Values);

    /// <summary>A field name, or a list of them.</summary>
    [JsonConverter(typeof(FieldNamesConverter))]
    private sealed record FieldNames(IReadOnlyList<string> Names);

    /// <summary>A value written as a string or a number (an amount in a translation); null reads as empty.</summary>
    [JsonConverter(typeof(TextConverter))]
    private sealed record Text(string Value);

    /// <summary>Reads the options' JSON; what is wrong is added to <paramref name="errors"/>, keyed by the option's path.</summary>
    public static ImportOptions Parse(string? json, Dictionary<string, string[]> errors)
    {
        var options = new ImportOptions();
        if (string.IsNullOrWhiteSpace(json))
        {
            return options;
        }

        if (json.Length > MaxJsonLength)
        {
            errors["options"] = [$"The options are at most {MaxJsonLength / 1024} KiB of JSON."];
            return options;
        }

        if (!IsJson(json, out var syntax))
        {
            errors["options"] = [$"The options are not valid JSON: {syntax}"];
            return options;
        }

        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(json, Json);
        }
        catch (JsonException exception)
        {
            // A value of the wrong shape (a list where a translation belongs, ...) is named by its path.
            var path = exception.Path is { Length: > 1 } at ? "options" + at[1..] : "options";
            errors[path] = [path == "options" ? $"The options are not a JSON object of the expected shape: {exception.Message}" : $"Not the expected shape: {Shape(path)}."];
            return options;
        }

        if (document is null)
        {
            errors["options"] = ["The options are a JSON object."];
            return options;
        }

        foreach (var unknown in document.Unknown?.Keys ?? Enumerable.Empty<string>())
        {
            errors[$"options.{unknown}"] = ["Unknown option: the options are columns, values, fill, dateFormat, defaults and delimiter."];
        }

        foreach (var (column, names) in document.Columns ?? [])
        {
            var unknown = names.Names.Where(n => !OpportunityCsv.TryParse(n, out _)).Select(n => $"'{n}'").ToList();
            if (unknown.Count > 0)
            {
                errors[$"options.columns.{column}"] = [$"Unknown field {string.Join(", ", unknown)}; the fields are {string.Join(", ", OpportunityCsv.Fields)}."];
                continue;
            }

            options.Columns[column.Trim()] = names.Names.Select(n => OpportunityCsv.TryParse(n, out var field) ? field : default).ToList();
        }

        foreach (var (name, map) in document.Values ?? [])
        {
            if (Field(name, "options.values", errors) is { } field)
            {
                options.Values[field] = Translation(map);
            }
        }

        foreach (var (name, fill) in document.Fill ?? [])
        {
            if (Field(name, "options.fill", errors) is not { } field)
            {
                continue;
            }

            if (string.IsNullOrWhiteSpace(fill.FromColumn))
            {
                errors[$"options.fill.{name}.fromColumn"] = ["The CSV column to take the value from is required."];
                continue;
            }

            options.Fill[field] = new FillRule(fill.FromColumn.Trim(), fill.Values is null ? null : Translation(fill.Values));
        }

        foreach (var (name, value) in document.Defaults ?? [])
        {
            if (Field(name, "options.defaults", errors) is { } field)
            {
                options.Defaults[field] = value.Value.Trim();
            }
        }

        if (document.DateFormat is not null)
        {
            options.ReadDateFormat(document.DateFormat, errors);
        }

        if (document.Delimiter is not null)
        {
            options.ReadDelimiter(document.Delimiter, errors);
        }

        return options;
    }

    private static bool IsJson(string json, out string? problem)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json));
        try
        {
            while (reader.Read())
            {
            }

            problem = null;
            return true;
        }
        catch (JsonException exception)
        {
            problem = exception.Message;
            return false;
        }
    }

    private void ReadDateFormat(string format, Dictionary<string, string[]> errors)
    {
        // A format is usable when a date written with it reads back as the same date.
        var probe = new DateTime(2016, 10, 20, 0, 0, 0, DateTimeKind.Utc);
        if (string.IsNullOrWhiteSpace(format) || !RoundTrips(format.Trim(), probe))
        {
            errors["options.dateFormat"] = ["A .NET date format that gives day, month and year, such as dd-MM-yy or MM/dd/yyyy."];
            return;
        }

        DateFormat = format.Trim();
    }

    private static bool RoundTrips(string format, DateTime probe)
    {
        try
        {
            return DateTime.TryParseExact(probe.ToString(format, CultureInfo.InvariantCulture), format, CultureInfo.InvariantCulture,
                       DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var back)
                   && back.Date == probe.Date;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private void ReadDelimiter(string text, Dictionary<string, string[]> errors)
    {
        if (text is not { Length: 1 } || text[0] is '"' or '\r' or '\n' || text[0] > 127)
        {
            errors["options.delimiter"] = ["One ASCII character other than a quote or a line break, such as \",\", \";\" or \"\\t\"."];
            return;
        }

        Delimiter = text[0];
    }

    private static CsvField? Field(string name, string path, Dictionary<string, string[]> errors)
    {
        if (OpportunityCsv.TryParse(name, out var field))
        {
            return field;
        }

        errors[$"{path}.{name}"] = [$"Unknown field '{name}'; the fields are {string.Join(", ", OpportunityCsv.Fields)}."];
        return null;
    }

    /// <summary>A translation of source values, matched ignoring case and surrounding spaces.</summary>
    private static Dictionary<string, string> Translation(Dictionary<string, Text> map) =>
        map.ToDictionary(e => e.Key.Trim(), e => e.Value.Value.Trim(), StringComparer.OrdinalIgnoreCase);

    /// <summary>What the option at <paramref name="path"/> (<c>options.values.stage</c>) looks like, for the error message.</summary>
    private static string Shape(string path) => path.Split('.') switch
    {
        [_, "columns", ..] => "{ \"<csv column>\": \"<field>\" or [\"<field>\", ...] }",
        [_, "values"] => "{ \"<field>\": { \"<source value>\": \"<target value>\" } }",
        [_, "values", ..] or [_, "fill", _, "values", ..] => "{ \"<source value>\": \"<target value>\" }, values being strings or numbers",
        [_, "fill", _, _] => "a fill has fromColumn (the CSV column to take the value from) and optional values (a translation)",
        [_, "fill", ..] => "{ \"<field>\": { \"fromColumn\": \"<csv column>\", \"values\": { ... } } }",
        [_, "defaults", ..] => "{ \"<field>\": \"<value>\" }, values being strings or numbers",
        [_, "dateFormat" or "delimiter"] => "a string",
        _ => "a JSON object",
    };

    private sealed class FieldNamesConverter : JsonConverter<FieldNames>
    {
        public override FieldNames Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                return new FieldNames([reader.GetString()!]);
            }

            var names = reader.TokenType == JsonTokenType.StartArray ? JsonSerializer.Deserialize<List<string>>(ref reader, options) : null;
            return names is { Count: > 0 } ? new FieldNames(names) : throw new JsonException("A field name or a list of field names.");
        }

        public override void Write(Utf8JsonWriter writer, FieldNames value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.Names, options);
    }

    private sealed class TextConverter : JsonConverter<Text>
    {
        public override bool HandleNull => true;

        public override Text Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.String => new Text(reader.GetString()!),
            JsonTokenType.Number => new Text(System.Text.Encoding.UTF8.GetString(reader.ValueSpan)),
            JsonTokenType.Null => new Text(string.Empty),
            _ => throw new JsonException("A string or a number."),
        };

        public override void Write(Utf8JsonWriter writer, Text value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
    }
}
