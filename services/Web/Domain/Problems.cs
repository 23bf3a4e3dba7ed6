using System.Text.Json;
using Pipeline.Web.ApiClients;

namespace Pipeline.Web.Domain;

/// <summary>What the API said was wrong, in the words of its problem details (RFC 9457), whichever service said it.</summary>
public static class Problems
{
    /// <summary>The field-level messages of a 400 or 422, by field name (camelCase, as the API names them).</summary>
    public static IDictionary<string, List<string>> Fields(IApiProblem exception)
    {
        var fields = new Dictionary<string, List<string>>();
        if (Parse(exception) is { } problem && problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
        {
            foreach (var field in errors.EnumerateObject())
            {
                fields[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                    ? field.Value.EnumerateArray().Select(m => m.GetString() ?? "").ToList()
                    : [field.Value.ToString()];
            }
        }

        return fields;
    }

    /// <summary>The field messages, else the detail, else the title; the raw message when the answer was no problem.</summary>
    public static string Detail(IApiProblem exception)
    {
        var messages = string.Join(" ", Fields(exception).SelectMany(f => f.Value));
        if (messages.Length > 0)
        {
            return messages;
        }

        var problem = Parse(exception);
        return Text(problem, "detail") ?? Text(problem, "title") ?? ((Exception)exception).Message;
    }

    private static string? Text(JsonElement? problem, string name) =>
        problem is { } p && p.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static JsonElement? Parse(IApiProblem exception)
    {
        try
        {
            return exception.Response is { Length: > 0 } body && JsonDocument.Parse(body).RootElement is { ValueKind: JsonValueKind.Object } root ? root : null;
        }
        catch (JsonException)
        {
            return null; // a proxy's HTML error page, not a problem document
        }
    }
}
