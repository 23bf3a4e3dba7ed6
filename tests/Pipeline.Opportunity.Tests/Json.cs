using System.Text.Json;

namespace Pipeline.Opportunity.Tests;

/// <summary>Reading the API's JSON in assertions.</summary>
public static class Json
{
    public static Guid Id(this JsonElement element, string property = "id") => element.GetProperty(property).GetGuid();

    public static string? Str(this JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static decimal Dec(this JsonElement element, string property) => element.GetProperty(property).GetDecimal();

    public static int Int(this JsonElement element, string property) => element.GetProperty(property).GetInt32();

    public static long Long(this JsonElement element, string property) => element.GetProperty(property).GetInt64();

    public static JsonElement[] Items(this JsonElement page) => page.GetProperty("items").EnumerateArray().ToArray();
}
