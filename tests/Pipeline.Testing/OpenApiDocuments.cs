using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Pipeline.Testing;

/// <summary>
/// A service's OpenAPI document, checked two ways: every operation documents what it answers (a success with its
/// body, 401, and the problems it can give), and the document equals the copy the web UI's generated API client was
/// made from (services/Web/ApiClients/OpenApi). A route changed without regenerating the client fails here;
/// <c>eng/generate-api-client.sh</c> refreshes the copies (PIPELINE_UPDATE_OPENAPI=1) and regenerates the client.
/// </summary>
public static class OpenApiDocuments
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string SnapshotPath(string service) =>
        Path.Combine(TestServers.RepositoryRoot, "services", "Web", "ApiClients", "OpenApi", $"{service}.json");

    public static async Task<JsonObject> FetchAsync(HttpClient service) =>
        JsonNode.Parse(await service.GetStringAsync("/openapi/v1.json"))!.AsObject();

    /// <summary>Each operation that answers without a documented body or without 401, as "METHOD path: what is missing".</summary>
    public static List<string> UndocumentedResponses(JsonObject document)
    {
        var missing = new List<string>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject().Where(p => p.Key is "get" or "post" or "put" or "patch" or "delete"))
            {
                var responses = operation!["responses"]!.AsObject();
                var success = responses.Where(r => r.Key.StartsWith('2')).ToList();
                if (success.Count == 0 || success.Any(r => r.Key != "204" && r.Value?["content"] is null))
                {
                    missing.Add($"{method.ToUpperInvariant()} {path}: no success answer with its body");
                }

                if (!responses.ContainsKey("401"))
                {
                    missing.Add($"{method.ToUpperInvariant()} {path}: no 401");
                }

                if (operation["parameters"]?.AsArray().Any(p => (string?)p!["in"] == "path") == true && !responses.ContainsKey("404"))
                {
                    missing.Add($"{method.ToUpperInvariant()} {path}: no 404 for an unknown id");
                }
            }
        }

        return missing;
    }

    /// <summary>Compares the document with the client's copy, or writes the copy when PIPELINE_UPDATE_OPENAPI=1.</summary>
    public static void AssertClientCopyMatches(string service, JsonObject document)
    {
        var current = document.ToJsonString(Indented).ReplaceLineEndings("\n") + "\n";
        var path = SnapshotPath(service);
        if (Environment.GetEnvironmentVariable("PIPELINE_UPDATE_OPENAPI") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, current);
            return;
        }

        Assert.True(File.Exists(path) && File.ReadAllText(path) == current,
            $"The {service} service's OpenAPI document differs from {path}, which the web UI's API client was generated from: run eng/generate-api-client.sh and commit the result.");
    }
}
