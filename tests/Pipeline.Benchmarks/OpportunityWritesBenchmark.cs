using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.Benchmarks;

/// <summary>
/// The opportunity service under load, through the gateway and directly in the same run: (1) writes, half
/// creations and half stage moves, at a fixed rate; (2) the board of a pipeline holding 10,000 open deals.
/// Runs the identity service, the opportunity service and the gateway as processes of their own.
/// </summary>
public static class OpportunityWritesBenchmark
{
    private const int ServicePort = 5391;
    private const int GatewayPort = 5390;

    public static async Task RunWritesAsync()
    {
        await using var system = await RunningSystem.StartAsync();
        var rate = int.TryParse(Environment.GetEnvironmentVariable("BENCH_RATE"), out var r) ? r : 1_000;
        foreach (var (name, client) in system.Clients)
        {
            await WriteLoadAsync(client, rate, TimeSpan.FromSeconds(5), system.FirstStage, system.SecondStage); // warm-up
        }

        // As autovacuum would within a minute or two of a new database's first writes (see ReportingBenchmark's AnalyzeAsync).
        await system.Database.ExecuteAsync("ANALYZE");

        foreach (var round in new[] { 1, 2 })
        {
            foreach (var (name, client) in system.Clients)
            {
                var cpuBefore = MachineCpu.Read();
                var (creates, moves, failures) = await WriteLoadAsync(client, rate, TimeSpan.FromSeconds(15), system.FirstStage, system.SecondStage);
                var cpu = MachineCpu.Read().PerOperationSince(cpuBefore, creates.Count + moves.Count);
                Console.WriteLine($"writes {name} round {round}: {rate} req/s, {failures} failed; create {creates}; stage move {moves}");
                Console.WriteLine($"  CPU ms per write: {cpu}");
            }
        }
    }

    public static async Task RunBoardAsync()
    {
        await using var system = await RunningSystem.StartAsync();
        var pipelineId = await system.FillBoardAsync(10_000);
        foreach (var (name, client) in system.Clients)
        {
            await OpenLoopLoad.RunAsync(() => BoardAsync(client, pipelineId), 20, TimeSpan.FromSeconds(5)); // warm-up
            var result = await OpenLoopLoad.RunAsync(() => BoardAsync(client, pipelineId), 20, TimeSpan.FromSeconds(20));
            Console.WriteLine($"board of 10,000 open deals {name}: 20 req/s, {result.Failures} failed, {result.Latencies}");
        }
    }

    private static async Task<bool> BoardAsync(HttpClient client, Guid pipelineId)
    {
        using var response = await client.GetAsync($"/api/pipelines/{pipelineId}/board");
        return response.IsSuccessStatusCode;
    }

    private static async Task<(Latencies Creates, Latencies Moves, int Failures)> WriteLoadAsync(
        HttpClient client, int perSecond, TimeSpan duration, Guid firstStage, Guid secondStage)
    {
        var created = new System.Collections.Concurrent.ConcurrentQueue<Guid>();
        var creates = new System.Collections.Concurrent.ConcurrentBag<double>();
        var moves = new System.Collections.Concurrent.ConcurrentBag<double>();
        var counter = 0;
        var result = await OpenLoopLoad.RunAsync(async () =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            if (Interlocked.Increment(ref counter) % 2 == 1 || !created.TryDequeue(out var id))
            {
                using var response = await client.PostAsJsonAsync("/api/opportunities", new
                {
                    title = "Load test deal", accountName = "Initech", amount = 1200, currency = "EUR", stageId = firstStage, expectedDecisionDate = "2031-06-30",
                });
                creates.Add(clock.Elapsed.TotalMilliseconds);
                if (!response.IsSuccessStatusCode)
                {
                    return false;
                }

                created.Enqueue((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
                return true;
            }

            using var move = await client.PostAsJsonAsync($"/api/opportunities/{id}/stage", new { stageId = secondStage });
            moves.Add(clock.Elapsed.TotalMilliseconds);
            return move.IsSuccessStatusCode;
        }, perSecond, duration);
        return (new Latencies(creates), new Latencies(moves), result.Failures);
    }

    /// <summary>Identity, opportunity and gateway processes on the benchmark servers, and a client per path.</summary>
    private sealed class RunningSystem : IAsyncDisposable
    {
        private readonly List<IAsyncDisposable> _resources = [];
        private readonly List<ServiceProcess.Running> _processes = [];

        public List<(string Name, HttpClient Client)> Clients { get; } = [];

        public Guid FirstStage { get; private set; }

        public Guid SecondStage { get; private set; }

        public TestDatabase Database { get; private set; } = null!;

        public static async Task<RunningSystem> StartAsync()
        {
            var system = new RunningSystem();
            var broker = await TestVirtualHost.CreateAsync();
            system._resources.Add(broker);
            system.Database = await TestDatabase.CreateAsync("bench_opportunity");
            system._resources.Add(system.Database);
            var issuer = await IssuerProcess.StartAsync(broker.Uri);
            system._resources.Add(issuer);

            var opportunity = new ServiceProcess("Pipeline.Opportunity", new Dictionary<string, string>
            {
                ["ConnectionStrings__opportunitydb"] = system.Database.ConnectionString,
                ["ConnectionStrings__messaging"] = broker.Uri.ToString(),
                ["Authentication__Authority"] = issuer.Address.ToString(),
            });
            await opportunity.RunToCompletionAsync("migrate");
            system._processes.Add(opportunity.Start($"--urls=http://127.0.0.1:{ServicePort}"));
            system._processes.Add(new ServiceProcess("Pipeline.Gateway", new Dictionary<string, string>
            {
                ["services__opportunity__http__0"] = $"http://127.0.0.1:{ServicePort}",
                ["Authentication__Authority"] = issuer.Address.ToString(),
            }).Start($"--urls=http://127.0.0.1:{GatewayPort}"));

            var token = await issuer.TokenAsync(DemoUsers.AcmeAdmin);
            foreach (var (name, port) in new[] { ("direct      ", ServicePort), ("through YARP", GatewayPort) })
            {
                var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                system.Clients.Add((name, client));
            }

            var api = system.Clients[0].Client;
            var pipelines = await Eventually.Until(async () =>
            {
                try
                {
                    using var response = await api.GetAsync("/api/pipelines");
                    return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : default;
                }
                catch (HttpRequestException)
                {
                    return default;
                }
            }, p => p.ValueKind == JsonValueKind.Array, TimeSpan.FromSeconds(60), "the opportunity service answers");
            var stages = pipelines[0].GetProperty("stages");
            system.FirstStage = stages[0].GetProperty("id").GetGuid();
            system.SecondStage = stages[1].GetProperty("id").GetGuid();
            await Eventually.Until(async () =>
            {
                try
                {
                    return (await system.Clients[1].Client.GetAsync("/api/pipelines")).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(60), "the gateway answers");
            return system;
        }

        /// <summary>A pipeline of its own with <paramref name="count"/> open deals spread over its stages (written in SQL for speed).</summary>
        public async Task<Guid> FillBoardAsync(int count)
        {
            var api = Clients[0].Client;
            var pipeline = await (await api.PostAsJsonAsync("/api/pipelines", new
            {
                name = "Board benchmark",
                stages = Enumerable.Range(1, 5).Select(i => new { name = $"Stage {i}", probability = i * 15, rottingDays = 14 }).ToArray(),
            })).Content.ReadFromJsonAsync<JsonElement>();
            var pipelineId = pipeline.GetProperty("id").GetGuid();
            var stageIds = pipeline.GetProperty("stages").EnumerateArray().Select(s => $"'{s.GetProperty("id").GetGuid()}'").ToArray();
            await Database.ExecuteAsync($"""
                INSERT INTO opportunities (id, organization_id, pipeline_id, stage_id, title, account_name, owner_id, team_id, amount, currency,
                    probability, probability_overridden, expected_decision_date, status, created_at, updated_at, stage_entered_at, last_activity_at, version)
                SELECT gen_random_uuid(), '{DemoUsers.Acme}', '{pipelineId}', (ARRAY[{string.Join(',', stageIds)}]::uuid[])[1 + n % 5],
                    'Deal ' || n, 'Account ' || (n % 700), '{DemoUsers.AliceId}', '{DemoUsers.East}', 100 + (n * 37) % 50000,
                    (ARRAY['EUR','USD','GBP'])[1 + n % 3], 10 + n % 80, false, current_date + (n % 365), 'open', now(), now(), now(), now(), 1
                FROM generate_series(1, {count}) AS n
                """);
            await Database.ExecuteAsync("ANALYZE opportunities");
            return pipelineId;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var (_, client) in Clients)
            {
                client.Dispose();
            }

            foreach (var process in _processes)
            {
                process.Dispose();
            }

            foreach (var resource in Enumerable.Reverse(_resources))
            {
                await resource.DisposeAsync();
            }
        }
    }
}
