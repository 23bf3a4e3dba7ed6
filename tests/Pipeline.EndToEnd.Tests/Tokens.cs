using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Pipeline.EndToEnd.Tests;

/// <summary>Real tokens from the running issuer, through the gateway, as a user of the command line gets them.</summary>
public sealed class Tokens(HttpClient gateway)
{
    public const string DemoPassword = "demo-password";

    private readonly Dictionary<string, string> _cache = [];

    public static readonly string Alice = "alice@acme.test";
    public static readonly string Bob = "bob@acme.test";
    public static readonly string Carol = "carol@acme.test";
    public static readonly string Maria = "maria@acme.test";
    public static readonly string AcmeAdmin = "admin@acme.test";
    public static readonly string Eve = "eve@globex.test";

    public async Task<string> ForAsync(string user, string password = DemoPassword)
    {
        if (_cache.TryGetValue(user, out var cached))
        {
            return cached;
        }

        var response = await RequestAsync(user, password);
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
        _cache[user] = token;
        return token;
    }

    public Task<HttpResponseMessage> RequestAsync(string user, string password) =>
        gateway.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = "pipeline-cli",
            ["username"] = user,
            ["password"] = password,
            ["scope"] = "pipeline-api",
        }));

    public async Task<HttpRequestMessage> AuthorizedAsync(HttpMethod method, string url, string user, object? body = null)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await ForAsync(user));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return request;
    }
}
