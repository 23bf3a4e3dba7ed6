using System.Globalization;
using System.Text.Json;

namespace Pipeline.Opportunity.Import;

/// <summary>
/// How to read a foreign CRM's file: which column gives which field (<c>columns</c>), value translations
/// (<c>values</c>), a fallback from another column when a value is missing (<c>fill</c>), the date format, defaults
/// and the delimiter. A native file needs none of it.
/// </summary>
public sealed class ImportOptions
{
    public const int MaxJsonLength = 1024 * 1024;

    /// <summary>CSV column → the fields it gives (one column may give several, e.g. a deal stage → status and stage).</summary>
    public Dictionary<string, List<CsvField>> Columns { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<CsvField, Dictionary<string, string>> Values { get; } = [];

    public Dictionary<CsvField, FillRule> Fill { get; } = [];

    public Dictionary<CsvField, string> Defaults { get; } = [];

    public string? DateFormat { get; private set; }

    public char Delimiter { get; private set; } = ',';

    public sealed record FillRule(string FromColumn, Dictionary<string, string>? Values);

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

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors["options"] = ["The options are a JSON object."];
                return options;
            }

            foreach (var option in document.RootElement.EnumerateObject())
            {
                switch (option.Name)
                {
                    case "columns": options.ReadColumns(option.Value, errors); break;
                    case "values": options.ReadValues(option.Value, errors); break;
                    case "fill": options.ReadFill(option.Value, errors); break;
                    case "defaults": options.ReadDefaults(option.Value, errors); break;
                    case "dateFormat": options.ReadDateFormat(option.Value, errors); break;
                    case "delimiter": options.ReadDelimiter(option.Value, errors); break;
                    default:
                        errors[$"options.{option.Name}"] = ["Unknown option: the options are columns, values, fill, dateFormat, defaults and delimiter."];
                        break;
                }
            }
        }
        catch (JsonException exception)
        {
            errors["options"] = [$"The options are not valid JSON: {exception.Message}"];
        }

        return options;
    }

    private void ReadColumns(JsonElement columns, Dictionary<string, string[]> errors)
    {
        if (!IsObject(columns, "options.columns", "{ \"<csv column>\": \"<field>\" or [\"<field>\", ...] }", errors))
        {
            return;
        }

        foreach (var column in columns.EnumerateObject())
        {
            var path = $"options.columns.{column.Name}";
            var names = column.Value.ValueKind switch
            {
                JsonValueKind.String => [column.Value.GetString()],
                JsonValueKind.Array => column.Value.EnumerateArray().Select(n => n.ValueKind == JsonValueKind.String ? n.GetString() : null).ToList(),
                _ => null,
            };
            if (names is null || names.Count == 0)
            {
                errors[path] = ["A field name or a list of field names."];
                continue;
            }

            var fields = new List<CsvField>();
            var unknown = new List<string>();
            foreach (var name in names)
            {
                if (OpportunityCsv.TryParse(name, out var field))
                {
                    fields.Add(field);
                }
                else
                {
                    unknown.Add($"'{name}'");
                }
            }

            if (unknown.Count > 0)
            {
                errors[path] = [$"Unknown field {string.Join(", ", unknown)}; the fields are {string.Join(", ", OpportunityCsv.Fields)}."];
                continue;
            }

            Columns[column.Name.Trim()] = fields;
        }
    }

    private void ReadValues(JsonElement values, Dictionary<string, string[]> errors)
    {
        if (!IsObject(values, "options.values", "{ \"<field>\": { \"<source value>\": \"<target value>\" } }", errors))
        {
            return;
        }

        foreach (var entry in values.EnumerateObject())
        {
            if (Field(entry.Name, "options.values", errors) is { } field && Translation(entry.Value, $"options.values.{entry.Name}", errors) is { } map)
            {
                Values[field] = map;
            }
        }
    }

    private void ReadFill(JsonElement fill, Dictionary<string, string[]> errors)
    {
        if (!IsObject(fill, "options.fill", "{ \"<field>\": { \"fromColumn\": \"<csv column>\", \"values\": { ... } } }", errors))
        {
            return;
        }

        foreach (var entry in fill.EnumerateObject())
        {
            var path = $"options.fill.{entry.Name}";
            if (Field(entry.Name, "options.fill", errors) is not { } field || !IsObject(entry.Value, path, "{ \"fromColumn\": \"<csv column>\", \"values\": { ... } }", errors))
            {
                continue;
            }

            string? fromColumn = null;
            Dictionary<string, string>? map = null;
            foreach (var property in entry.Value.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "fromColumn" when property.Value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(property.Value.GetString()):
                        fromColumn = property.Value.GetString()!.Trim();
                        break;
                    case "values":
                        map = Translation(property.Value, $"{path}.values", errors);
                        break;
                    default:
                        errors[$"{path}.{property.Name}"] = ["A fill has fromColumn (the CSV column to take the value from) and optional values (a translation)."];
                        break;
                }
            }

            if (fromColumn is null)
            {
                errors[$"{path}.fromColumn"] = ["The CSV column to take the value from is required."];
                continue;
            }

            Fill[field] = new FillRule(fromColumn, map);
        }
    }

    private void ReadDefaults(JsonElement defaults, Dictionary<string, string[]> errors)
    {
        if (!IsObject(defaults, "options.defaults", "{ \"<field>\": \"<value>\" }", errors))
        {
            return;
        }

        foreach (var entry in defaults.EnumerateObject())
        {
            if (Field(entry.Name, "options.defaults", errors) is { } field && Text(entry.Value) is { } value)
            {
                Defaults[field] = value.Trim();
            }
            else if (OpportunityCsv.TryParse(entry.Name, out _))
            {
                errors[$"options.defaults.{entry.Name}"] = ["A default is a string or a number."];
            }
        }
    }

    private void ReadDateFormat(JsonElement format, Dictionary<string, string[]> errors)
    {
        var text = format.ValueKind == JsonValueKind.String ? format.GetString()?.Trim() : null;
        // A format is usable when a date written with it reads back as the same date.
        var probe = new DateTime(2016, 10, 20, 0, 0, 0, DateTimeKind.Utc);
        if (string.IsNullOrEmpty(text) || !RoundTrips(text, probe))
        {
            errors["options.dateFormat"] = ["A .NET date format that gives day, month and year, such as dd-MM-yy or MM/dd/yyyy."];
            return;
        }

        DateFormat = text;
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

    private void ReadDelimiter(JsonElement delimiter, Dictionary<string, string[]> errors)
    {
        var text = delimiter.ValueKind == JsonValueKind.String ? delimiter.GetString() : null;
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
    private static Dictionary<string, string>? Translation(JsonElement map, string path, Dictionary<string, string[]> errors)
    {
        if (!IsObject(map, path, "{ \"<source value>\": \"<target value>\" }", errors))
        {
            return null;
        }

        var translation = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in map.EnumerateObject())
        {
            if (Text(entry.Value) is { } target)
            {
                translation[entry.Name.Trim()] = target.Trim();
            }
            else
            {
                errors[$"{path}.{entry.Name}"] = ["A target value is a string or a number."];
            }
        }

        return translation;
    }

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.Null => string.Empty,
        _ => null,
    };

    private static bool IsObject(JsonElement element, string path, string shape, Dictionary<string, string[]> errors)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            return true;
        }

        errors[path] = [$"Expected {shape}."];
        return false;
    }
}
