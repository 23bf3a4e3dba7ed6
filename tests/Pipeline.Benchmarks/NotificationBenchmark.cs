using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Contracts;
using Pipeline.Testing;

namespace Pipeline.Benchmarks;

/// <summary>
/// The notification service, run as processes of their own (two replicas) with the identity issuer:
/// (1) <c>stream</c>: 500 users each holding an open stream, spread over both replicas; <c>SendNotification</c>
/// commands published at 200/s, each to one of them; the time from the publish to the event read from the user's
/// stream, and the memory the replicas hold per open stream. (2) <c>webhooks</c>: deliveries to a local receiver,
/// a backlog drained and a steady rate.
/// </summary>
public static class NotificationBenchmark
{
    private const int FirstPort = 5401;

    public static async Task RunStreamAsync()
    {
        var streams = Setting("BENCH_STREAMS", 500);
        var rate = Setting("BENCH_RATE", 200);
        var replicas = Setting("BENCH_REPLICAS", 2);
        await using var system = await NotificationSystem.StartAsync(replicas, new Dictionary<string, string>());
        var users = await system.CreateUsersAsync(streams);
        var memoryBefore = system.ReplicaMemory();

        var latencies = new ConcurrentDictionary<int, double>();
        var sentAt = new ConcurrentDictionary<int, long>();
        using var reading = new CancellationTokenSource();
        var clients = system.Replicas.Select(port => new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 10_000 })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = Timeout.InfiniteTimeSpan,
        }).ToList();
        var opened = 0;
        var readers = users.Select((user, i) => Task.Run(() => ReadStreamAsync(clients[i % clients.Count], user.Token, () => Interlocked.Increment(ref opened), sequence =>
        {
            if (sentAt.TryGetValue(sequence, out var sent))
            {
                latencies.TryAdd(sequence, Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            }
        }, reading.Token))).ToList();
        await Eventually.Until(() => Task.FromResult(Volatile.Read(ref opened)), count => count == users.Count, TimeSpan.FromSeconds(120), "every stream open");
        // The streams' memory once their first bytes went out (and the connections' buffers with them).
        await Task.Delay(TimeSpan.FromSeconds(3));
        var memoryAfter = system.ReplicaMemory();
        Console.WriteLine($"{users.Count} open streams on {replicas} replica(s): resident memory {Mb(memoryBefore)} → {Mb(memoryAfter)} MB, "
                          + $"{(memoryAfter - memoryBefore) / 1024.0 / users.Count:0.0} KiB per open stream");

        var sequence = 0;
        Task<bool> SendAsync()
        {
            var number = Interlocked.Increment(ref sequence);
            var user = users[Random.Shared.Next(users.Count)];
            sentAt[number] = Stopwatch.GetTimestamp();
            return system.PublishAsync(new SendNotification
            {
                OrganizationId = DemoUsers.Acme, Recipients = [new NotificationRecipient(user.Id)], Channel = "inbox", Title = $"bench {number}",
                Body = "A rule fired", Link = "/opportunities/42", CorrelationId = Guid.NewGuid(), Kind = "rule",
            });
        }

        await OpenLoopLoad.RunAsync(SendAsync, rate / 4, TimeSpan.FromSeconds(10)); // warm-up, not counted
        await Eventually.Until(() => Task.FromResult(latencies.Count), count => count >= sequence, TimeSpan.FromSeconds(30), "the warm-up delivered");
        var warmUp = sequence;
        var cpuBefore = SystemCpu.Read();
        var load = await OpenLoopLoad.RunAsync(SendAsync, rate, TimeSpan.FromSeconds(30));
        var sent = sequence - warmUp;
        await Eventually.Until(() => Task.FromResult(latencies.Count), count => count >= sequence, TimeSpan.FromSeconds(60), "every notification on its stream");
        var cpu = SystemCpu.Read().PerOperationSince(cpuBefore, sent);
        var measured = new Latencies(latencies.Where(l => l.Key > warmUp).Select(l => l.Value));
        Console.WriteLine($"SendNotification at {rate}/s to one of {users.Count} open streams: {sent} sent ({load.Failures} publish failures), "
                          + $"publish → event read from the stream: {measured}");
        Console.WriteLine($"  CPU ms per notification: {cpu}");
        Console.WriteLine($"  resident memory now {Mb(system.ReplicaMemory())} MB across the replicas");
        await reading.CancelAsync();
        await Task.WhenAll(readers);
    }

    public static async Task RunWebhooksAsync()
    {
        var subscriptions = Setting("BENCH_SUBSCRIPTIONS", 10);
        var backlog = Setting("BENCH_BACKLOG", 20_000);
        var rate = Setting("BENCH_RATE", 600);
        await using var receiver = await Receiver.StartAsync();
        await using var system = await NotificationSystem.StartAsync(1, new Dictionary<string, string>
        {
            ["Webhooks__Outbound__AllowLoopback"] = "true",
        });
        var ids = new List<Guid>();
        for (var i = 0; i < subscriptions; i++)
        {
            var response = await system.Admin.PostAsJsonAsync("/api/webhooks", new { url = $"http://127.0.0.1:{receiver.Port}/hooks/{i}", events = new[] { "StageChanged" } });
            response.EnsureSuccessStatusCode();
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        }

        // (a) Warm-up, then a backlog of deliveries drained: the dispatcher alone (as after a receiver's outage).
        await system.InsertDeliveriesAsync(ids, 500);
        await Eventually.Until(() => Task.FromResult(receiver.Count), count => count >= 500, TimeSpan.FromSeconds(60), "the warm-up delivered");
        receiver.Reset();
        var cpuBefore = SystemCpu.Read();
        var drain = Stopwatch.StartNew();
        await system.InsertDeliveriesAsync(ids, backlog);
        await Eventually.Until(() => Task.FromResult(receiver.Count), count => count >= backlog, TimeSpan.FromMinutes(5), "the backlog delivered");
        var drained = drain.Elapsed;
        Console.WriteLine($"webhook backlog of {backlog:N0} deliveries over {subscriptions} subscriptions drained in {drained.TotalSeconds:0.0} s: "
                          + $"{backlog / drained.TotalSeconds:N0} deliveries/s");
        Console.WriteLine($"  CPU ms per delivery: {SystemCpu.Read().PerOperationSince(cpuBefore, backlog)}");

        // (b) Events at a steady rate, each delivered to every subscription: event published → delivery received.
        receiver.Reset();
        var events = rate / subscriptions;
        var published = new ConcurrentDictionary<Guid, long>();
        receiver.OnDelivery = body =>
        {
            using var json = JsonDocument.Parse(body);
            var opportunity = json.RootElement.GetProperty("data").GetProperty("opportunityId").GetGuid();
            return published.TryGetValue(opportunity, out var at) ? Stopwatch.GetElapsedTime(at).TotalMilliseconds : null;
        };
        cpuBefore = SystemCpu.Read();
        var load = await OpenLoopLoad.RunAsync(() =>
        {
            var moved = StageMoved();
            published[moved.OpportunityId] = Stopwatch.GetTimestamp();
            return system.PublishAsync(moved);
        }, events, TimeSpan.FromSeconds(20));
        var expected = published.Count * subscriptions;
        await Eventually.Until(() => Task.FromResult(receiver.Count), count => count >= expected, TimeSpan.FromMinutes(2), "every event delivered");
        Console.WriteLine($"{events} events/s × {subscriptions} subscriptions = {events * subscriptions} deliveries/s for 20 s: {receiver.Count:N0} received "
                          + $"({load.Failures} publish failures); event published → delivery received: {new Latencies(receiver.Latencies)}");
        Console.WriteLine($"  CPU ms per delivery: {SystemCpu.Read().PerOperationSince(cpuBefore, expected)}");
    }

    private static StageChanged StageMoved() => new()
    {
        OrganizationId = DemoUsers.Acme, OpportunityId = Guid.NewGuid(), Version = 2, PipelineId = Guid.NewGuid(), FromStageId = Guid.NewGuid(),
        FromStageName = "Discovery meeting", ToStageId = Guid.NewGuid(), ToStageName = "Proposal", Probability = 50, Amount = 12000, Currency = "EUR",
        OwnerId = DemoUsers.AliceId, TeamId = DemoUsers.East, TimeInPreviousStage = TimeSpan.FromDays(3),
    };

    /// <summary>Reads one user's stream as a browser would, reporting each notification's sequence number as it arrives.</summary>
    private static async Task ReadStreamAsync(HttpClient client, string token, Action opened, Action<int> received, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/notifications/stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            opened();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken), Encoding.UTF8);
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                const string marker = "\"title\":\"bench ";
                var at = line.IndexOf(marker, StringComparison.Ordinal);
                if (line.StartsWith("data:", StringComparison.Ordinal) && at >= 0)
                {
                    var start = at + marker.Length;
                    var end = line.IndexOf('"', start);
                    received(int.Parse(line.AsSpan(start, end - start), CultureInfo.InvariantCulture));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static int Setting(string name, int fallback) => int.TryParse(Environment.GetEnvironmentVariable(name), out var value) ? value : fallback;

    private static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0", CultureInfo.InvariantCulture);

    private sealed record BenchUser(string Id, string Token);

    private sealed class NotificationSystem : IAsyncDisposable
    {
        private readonly List<IAsyncDisposable> _resources = [];
        private readonly List<ServiceProcess.Running> _processes = [];
        private IssuerProcess _issuer = null!;
        private IHost _publisher = null!;
        private TestDatabase _database = null!;

        public List<int> Replicas { get; } = [];

        public HttpClient Admin { get; private set; } = null!;

        public static async Task<NotificationSystem> StartAsync(int replicas, Dictionary<string, string> settings)
        {
            var system = new NotificationSystem();
            var broker = await TestVirtualHost.CreateAsync();
            system._resources.Add(broker);
            system._database = await TestDatabase.CreateAsync("bench_notification");
            system._resources.Add(system._database);
            var environment = new Dictionary<string, string>(settings)
            {
                [$"ConnectionStrings__{ResourceNames.NotificationDatabase}"] = system._database.ConnectionString,
                [$"ConnectionStrings__{ResourceNames.Messaging}"] = broker.Uri.ToString(),
                [$"ConnectionStrings__{ResourceNames.Smtp}"] = TestServers.Smtp.ToString(),
                ["Digest__Enabled"] = "false",
            };
            var notification = new ServiceProcess("Pipeline.Notification", environment);
            await notification.RunToCompletionAsync("migrate");
            system._issuer = await IssuerProcess.StartAsync(broker.Uri);
            system._resources.Add(system._issuer);
            environment["Authentication__Authority"] = system._issuer.Address.ToString();
            for (var i = 0; i < replicas; i++)
            {
                var port = FirstPort + i;
                system._processes.Add(new ServiceProcess("Pipeline.Notification", environment).Start($"--urls=http://127.0.0.1:{port}"));
                system.Replicas.Add(port);
            }

            system.Admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{FirstPort}") };
            system.Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await system._issuer.TokenAsync(DemoUsers.AcmeAdmin));
            foreach (var port in system.Replicas)
            {
                using var probe = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
                await Eventually.Until(async () =>
                {
                    try
                    {
                        return (await probe.GetAsync("/health")).IsSuccessStatusCode;
                    }
                    catch (HttpRequestException)
                    {
                        return false;
                    }
                }, TimeSpan.FromSeconds(60), $"the replica on {port} is healthy");
            }

            system._publisher = await TestPublisher.StartAsync(broker.Uri);
            return system;
        }

        public async Task<bool> PublishAsync(IntegrationMessage message)
        {
            await _publisher.Services.GetRequiredService<IBus>().Publish(message, message.GetType());
            return true;
        }

        /// <summary>Users made by the admin through identity (which publishes them to the service's directory), each with a token.</summary>
        public async Task<List<BenchUser>> CreateUsersAsync(int count)
        {
            using var identity = new HttpClient { BaseAddress = _issuer.Address };
            identity.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await _issuer.TokenAsync(DemoUsers.AcmeAdmin));
            var run = Guid.NewGuid().ToString("N")[..6];
            var users = new ConcurrentBag<BenchUser>();
            await Parallel.ForEachAsync(Enumerable.Range(1, count), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, cancellationToken) =>
            {
                var email = $"bench{i}.{run}@acme.test";
                const string password = "bench-password-1";
                var created = await identity.PostAsJsonAsync("/api/users", new { email, name = $"Bench {i}", role = "rep", teamId = DemoUsers.East, password }, cancellationToken);
                created.EnsureSuccessStatusCode();
                var id = (await created.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetString()!;
                using var token = await identity.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "password", ["client_id"] = "pipeline-cli", ["username"] = email, ["password"] = password, ["scope"] = "pipeline-api",
                }), cancellationToken);
                token.EnsureSuccessStatusCode();
                users.Add(new BenchUser(id, (await token.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("access_token").GetString()!));
            });
            await Eventually.Until(() => _database.CountAsync("SELECT count(*) FROM directory_users"), known => known >= count, TimeSpan.FromSeconds(120),
                "the service knows every user");
            return [.. users];
        }

        /// <summary>Pending deliveries written straight to the database, as consumers write them, spread over the subscriptions.</summary>
        public Task InsertDeliveriesAsync(IReadOnlyList<Guid> subscriptions, int count)
        {
            var ids = string.Join(',', subscriptions.Select(s => $"'{s}'::uuid"));
            var organization = DemoUsers.Acme;
            return _database.ExecuteAsync($$$"""
                INSERT INTO webhook_deliveries (id, organization_id, subscription_id, event, source_event_id, body, status, attempts, next_attempt_at, retry_until, created_at)
                SELECT id, '{{{organization}}}', (ARRAY[{{{ids}}}])[1 + n % {{{subscriptions.Count}}}], 'StageChanged', gen_random_uuid(),
                    '{"deliveryId":"' || id || '","event":"StageChanged","organizationId":"{{{organization}}}","data":{"opportunityId":"' || gen_random_uuid() || '"}}',
                    'pending', 0, now(), now() + interval '1 hour', now()
                FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, {{{count}}}) AS n) AS g
                """, timeoutSeconds: 300);
        }

        /// <summary>Resident memory of the replicas, in bytes.</summary>
        public long ReplicaMemory() => _processes.Sum(p =>
        {
            var status = File.ReadAllLines($"/proc/{p.Process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(status.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        });

        public async ValueTask DisposeAsync()
        {
            await _publisher.StopAsync();
            _publisher.Dispose();
            Admin.Dispose();
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

    /// <summary>A webhook receiver on loopback that answers 200 at once, counting what it receives.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly ConcurrentBag<double> _latencies = [];
        private WebApplication _app = null!;
        private int _count;

        public int Port { get; private set; }

        public int Count => Volatile.Read(ref _count);

        public IEnumerable<double> Latencies => _latencies;

        public Func<byte[], double?>? OnDelivery { get; set; }

        public static async Task<Receiver> StartAsync()
        {
            var receiver = new Receiver();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1));
            receiver._app = builder.Build();
            receiver._app.Run(async context =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                if (receiver.OnDelivery?.Invoke(body.ToArray()) is { } latency)
                {
                    receiver._latencies.Add(latency);
                }

                Interlocked.Increment(ref receiver._count);
                context.Response.StatusCode = StatusCodes.Status200OK;
            });
            await receiver._app.StartAsync();
            receiver.Port = new Uri(receiver._app.Urls.First()).Port;
            return receiver;
        }

        public void Reset()
        {
            Interlocked.Exchange(ref _count, 0);
            _latencies.Clear();
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>
    /// <see cref="MachineCpu"/>, restricted to the processes of this run: the test servers' PostgreSQL (its postmaster and
    /// the backends of the benchmark's database; not its few background processes) and RabbitMQ, and this repository's
    /// processes. The machine is shared with other checkouts' builds, tests and benchmarks, whose CPU would otherwise be
    /// counted as this system's.
    /// </summary>
    private static class SystemCpu
    {
        public static MachineCpu Read()
        {
            var servers = $"/pipeline-cloud/test-{new Npgsql.NpgsqlConnectionStringBuilder(TestServers.Postgres).Port}/";
            var repository = TestServers.RepositoryRoot + "/";
            var byPart = new Dictionary<string, TimeSpan>();
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(directory), out _))
                {
                    continue;
                }

                try
                {
                    var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
                    var environment = File.ReadAllText(Path.Combine(directory, "environ"));
                    // PostgreSQL's server processes rewrite their command line (the postmaster keeps its data directory, a
                    // backend shows its database); RabbitMQ is known by the variable eng/infra/rabbitmq.sh starts it with.
                    var part = commandLine.Contains(servers + "postgres", StringComparison.Ordinal)
                               || (commandLine.StartsWith("postgres: ", StringComparison.Ordinal) && commandLine.Contains(" bench_notification_", StringComparison.Ordinal))
                        ? "PostgreSQL"
                        : environment.Contains("MQ_BASE=/var/tmp" + servers + "rabbitmq", StringComparison.Ordinal) ? "RabbitMQ"
                        : !commandLine.Contains(repository, StringComparison.Ordinal) ? null
                        : commandLine.Contains("Pipeline.Notification", StringComparison.Ordinal) ? "notification service"
                        : commandLine.Contains("Pipeline.Identity", StringComparison.Ordinal) ? "identity"
                        : commandLine.Contains("Pipeline.Benchmarks", StringComparison.Ordinal) ? "load generator"
                        : null;
                    if (part is null)
                    {
                        continue;
                    }

                    var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                    byPart[part] = byPart.GetValueOrDefault(part) + TimeSpan.FromSeconds(ticks / 100.0);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    // The process ended while being read.
                }
            }

            return new MachineCpu(byPart);
        }
    }
}
