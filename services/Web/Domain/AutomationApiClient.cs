using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Web.ApiClients.Automation;

/// <summary>What the generated automation client lacks: <c>If-Match</c> on a rule's change.</summary>
public partial class AutomationApi
{
    /// <summary>
    /// The ETag of the rule as it was read, sent with the next change: a PUT replaces the whole rule, so a change based on a
    /// copy someone else has changed since is refused (412) rather than silently undoing theirs.
    /// </summary>
    public string? IfMatch { get; set; }

    partial void PrepareRequest(HttpClient client, HttpRequestMessage request, string url)
    {
        if (IfMatch is not null && (request.Method == HttpMethod.Put || request.Method == HttpMethod.Delete))
        {
            request.Headers.TryAddWithoutValidation("If-Match", IfMatch);
        }
    }
}

/// <summary>
/// A condition's value: a number, a text or a list of them. The OpenAPI document says only "any JSON" (System.Text.Json's
/// JsonElement), which the generator turned into an empty object; this carries the JSON value through unchanged.
/// </summary>
[JsonConverter(typeof(ConditionValueConverter))]
public partial class JsonElement
{
    public System.Text.Json.JsonElement Json { get; init; }
}

public sealed class ConditionValueConverter : JsonConverter<JsonElement>
{
    public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return new JsonElement { Json = document.RootElement.Clone() };
    }

    public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options) => value.Json.WriteTo(writer);
}
