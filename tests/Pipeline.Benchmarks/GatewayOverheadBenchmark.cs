using Pipeline.Testing;

namespace Pipeline.Benchmarks;

/// <summary>
/// What the gateway adds to a request: the same route of the opportunity service called directly and through
/// the gateway, alternately, at the same fixed rate, in one run. Only the two processes under test run (the
/// service with its database and broker, and the gateway), so the other services do not add noise.
/// </summary>
public static class GatewayOverheadBenchmark
{
    private const int PerSecond = 1_000;
    private const int ServicePort = 5291;
    private const int GatewayPort = 5290;
    private static readonly TimeSpan Round = TimeSpan.FromSeconds(10);

    public static async Task RunAsync()
    {
        await using var database = await TestDatabase.CreateAsync("bench_gateway");
        await using var broker = await TestVirtualHost.CreateAsync();
        var opportunity = new ServiceProcess("Pipeline.Opportunity", new Dictionary<string, string>
        {
            [$"ConnectionStrings__{ResourceNames.OpportunityDatabase}"] = database.ConnectionString,
            [$"ConnectionStrings__{ResourceNames.Messaging}"] = broker.Uri.ToString(),
        });
        await opportunity.RunToCompletionAsync("migrate");
        using var service = opportunity.Start($"--urls=http://127.0.0.1:{ServicePort}");
        using var gateway = new ServiceProcess("Pipeline.Gateway", new Dictionary<string, string>
        {
            [$"services__{ResourceNames.Opportunity}__http__0"] = $"http://127.0.0.1:{ServicePort}",
        }).Start($"--urls=http://127.0.0.1:{GatewayPort}");

        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 });
        var routes = new (string Name, Uri Url)[]
        {
            ("direct      ", new Uri($"http://127.0.0.1:{ServicePort}/alive")),
            ("through YARP", new Uri($"http://127.0.0.1:{GatewayPort}/api/{ResourceNames.Opportunity}/alive")),
        };
        foreach (var (_, url) in routes)
        {
            await Eventually.Until(() => SendAsync(client, url), TimeSpan.FromSeconds(60), $"{url} answers");
        }

        // Warm up both paths (JIT, connection pools), then alternate so drift on a shared machine hits both.
        foreach (var (_, url) in routes)
        {
            await OpenLoopLoad.RunAsync(() => SendAsync(client, url), PerSecond, TimeSpan.FromSeconds(5));
        }

        var all = routes.ToDictionary(route => route.Name, _ => new List<double>());
        for (var round = 1; round <= 3; round++)
        {
            foreach (var (name, url) in routes)
            {
                var result = await OpenLoopLoad.RunAsync(() => SendAsync(client, url), PerSecond, Round);
                all[name].AddRange(result.Latencies.All);
                Console.WriteLine($"{name} round {round}: {PerSecond} req/s, {result.Failures} failed, {result.Latencies}");
            }
        }

        var direct = new Latencies(all[routes[0].Name]);
        var proxied = new Latencies(all[routes[1].Name]);
        Console.WriteLine($"direct       all rounds: {direct}");
        Console.WriteLine($"through YARP all rounds: {proxied}");
        Console.WriteLine($"added by the gateway: p50 {proxied.Percentile(50) - direct.Percentile(50):0.00} ms, " +
                          $"p99 {proxied.Percentile(99) - direct.Percentile(99):0.00} ms");
    }

    private static async Task<bool> SendAsync(HttpClient client, Uri url)
    {
        try
        {
            using var response = await client.GetAsync(url);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
