using System.Net.Http.Json;
using System.Text.Json;

namespace Pipeline.Automation.Tests;

/// <summary>Reading the API's JSON in assertions.</summary>
public static class Json
{
    public static Guid Id(this JsonElement element, string property = "id") => element.GetProperty(property).GetGuid();

    public static string? Str(this JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static int Int(this JsonElement element, string property) => element.GetProperty(property).GetInt32();

    public static bool Bool(this JsonElement element, string property) => element.GetProperty(property).GetBoolean();

    public static JsonElement[] Items(this JsonElement page) => page.GetProperty("items").EnumerateArray().ToArray();

    /// <summary>The fields named by a validation problem's <c>errors</c>.</summary>
    public static string[] ErrorFields(this JsonElement problem) =>
        problem.TryGetProperty("errors", out var errors) ? errors.EnumerateObject().Select(e => e.Name).ToArray() : [];

    public static async Task<JsonElement> ReadAsync(this HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode} {response.RequestMessage?.RequestUri}: {await response.Content.ReadAsStringAsync()}");
        }

        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
