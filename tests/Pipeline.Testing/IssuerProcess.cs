using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Pipeline.Testing;

/// <summary>
/// The real identity service, run as a process on a test database and broker, with the demo organisations:
/// tests get real tokens from it, and the services under test validate them against its JWKS.
/// </summary>
public sealed class IssuerProcess : IAsyncDisposable
{
    public const string DemoPassword = "demo-password";

    private readonly ServiceProcess.Running _running;
    private readonly TestDatabase _database;
    private readonly HttpClient _http;
    private readonly Dictionary<string, string> _tokens = [];
    private readonly SemaphoreSlim _lock = new(1, 1);

    private IssuerProcess(ServiceProcess.Running running, TestDatabase database, Uri address)
    {
        _running = running;
        _database = database;
        Address = address;
        _http = new HttpClient { BaseAddress = address };
    }

    /// <summary>The issuer's address, also its <c>iss</c>: what services use as <c>Authentication:Authority</c>.</summary>
    public Uri Address { get; }

    public static async Task<IssuerProcess> StartAsync(Uri broker)
    {
        var database = await TestDatabase.CreateAsync("identity");
        var port = PrivateRabbitMqNode.FreePort();
        var address = new Uri($"http://127.0.0.1:{port}/");
        var identity = new ServiceProcess("Pipeline.Identity", new Dictionary<string, string>
        {
            [$"ConnectionStrings__{"identitydb"}"] = database.ConnectionString,
            ["ConnectionStrings__messaging"] = broker.ToString(),
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Identity__Issuer"] = address.ToString(),
            ["Authentication__Authority"] = address.ToString(),
        });
        await identity.RunToCompletionAsync("migrate");
        var running = identity.Start($"--urls={address}");
        var issuer = new IssuerProcess(running, database, address);
        await Eventually.Until(async () =>
        {
            try
            {
                return (await issuer._http.GetAsync("/health")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "the identity service is healthy");
        return issuer;
    }

    /// <summary>An access token for a demo user (password grant of the local profile).</summary>
    public async Task<string> TokenAsync(string email)
    {
        await _lock.WaitAsync();
        try
        {
            if (_tokens.TryGetValue(email, out var token))
            {
                return token;
            }

            var response = await _http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "password", ["client_id"] = "pipeline-cli", ["username"] = email, ["password"] = DemoPassword, ["scope"] = "pipeline-api",
            }));
            response.EnsureSuccessStatusCode();
            token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
            _tokens[email] = token;
            return token;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>A client of the identity service's own API (<c>/api/organization</c>, <c>/api/users</c>, ...) signed in as a demo user.</summary>
    public Task<HttpClient> ClientAsync(string email) => AuthorizeAsync(new HttpClient { BaseAddress = Address }, email);

    /// <summary>Adds the user's bearer token to a client.</summary>
    public async Task<HttpClient> AuthorizeAsync(HttpClient client, string email)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(email));
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        _running.Dispose();
        await _database.DisposeAsync();
    }
}

/// <summary>The demo users of SPEC §1 and their fixed ids.</summary>
public static class DemoUsers
{
    public const string Alice = "alice@acme.test";
    public const string Bob = "bob@acme.test";
    public const string Carol = "carol@acme.test";
    public const string Maria = "maria@acme.test";
    public const string AcmeAdmin = "admin@acme.test";
    public const string Eve = "eve@globex.test";

    public static readonly Guid Acme = new("a0000000-0000-0000-0000-000000000001");
    public static readonly Guid Globex = new("b0000000-0000-0000-0000-000000000001");
    public static readonly Guid East = new("a0000000-0000-0000-0000-0000000000e1");
    public static readonly Guid West = new("a0000000-0000-0000-0000-0000000000e2");
    public const string AliceId = "a0000000-0000-0000-0000-00000000a001";
    public const string BobId = "a0000000-0000-0000-0000-00000000a002";
    public const string CarolId = "a0000000-0000-0000-0000-00000000a003";
    public const string MariaId = "a0000000-0000-0000-0000-00000000a004";
}
