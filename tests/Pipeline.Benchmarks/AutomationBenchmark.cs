using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using NpgsqlTypes;
using Pipeline.Contracts;
using Pipeline.Messaging;
using Pipeline.Testing;

namespace Pipeline.Benchmarks;

/// <summary>
/// The automation service, one replica, run as a process on this run's PostgreSQL and RabbitMQ:
/// (1) evaluation throughput: deal events drained from its queue with 100 active rules (target 5,000 events/s);
/// (2) due → action published: 10,000 delayed actions due within one minute, then 10,000 due at the same instant
/// (target p99 under 1 s); (3) a simulation over 100,000 recorded events of the opportunity service (target under 10 s).
/// CPU is summed over this run's processes only (MachineCpu.ReadOwn), PostgreSQL and RabbitMQ included.
/// </summary>
public static class AutomationBenchmark
{
    private const int AutomationPort = 5493;
    private const int OpportunityPort = 5494;
    private static readonly string[] Segments = Enumerable.Range(0, 20).Select(i => $"segment-{i}").ToArray();

    public static async Task RunEvaluationAsync()
    {
        var deals = int.TryParse(Environment.GetEnvironmentVariable("BENCH_DEALS"), out var n) ? n : 10_000;
        await using var system = await AutomationSystem.StartAsync(withOpportunity: false);
        var stages = await system.PublishPipelineAsync();
        await system.AddRulesAsync(HundredRules(stages));

        // The events wait in the service's queue while it is stopped; then it drains them.
        system.StopAutomation();
        var events = DealEvents(deals, stages, DateTimeOffset.UtcNow).ToList();
        var publishing = Stopwatch.StartNew();
        await system.PublishAsync(events);
        Console.WriteLine($"published {events.Count:N0} events of {deals:N0} deals in {publishing.Elapsed.TotalSeconds:0.0} s (the service stopped)");

        system.StartAutomation();
        // Steady state: from the 10 % mark (the JIT and the connections warm) to the last event.
        var warm = events.Count / 10;
        await system.WaitForHandledAsync(warm, TimeSpan.FromMinutes(5));
        var cpuBefore = MachineCpu.ReadOwn();
        var handledBefore = await system.HandledAsync();
        var clock = Stopwatch.StartNew();
        await system.WaitForHandledAsync(events.Count, TimeSpan.FromMinutes(20));
        var elapsed = clock.Elapsed;
        var measured = (int)(events.Count - handledBefore);
        var cpu = MachineCpu.ReadOwn().PerOperationSince(cpuBefore, measured);
        var (runs, fired) = await system.RunsAsync();
        Console.WriteLine($"100 active rules: {measured:N0} events evaluated in {elapsed.TotalSeconds:0.0} s: {measured / elapsed.TotalSeconds:N0} events/s " +
                          $"({runs:N0} runs recorded in all, {fired:N0} fired at once: a notification each)");
        Console.WriteLine($"  CPU ms per event: {cpu}");
        Console.WriteLine($"  transactions: {await system.BatchesAsync():N0} (events applied together: {events.Count / (double)await system.BatchesAsync():0.0} on average)");
    }

    public static async Task RunDueAsync()
    {
        await using var system = await AutomationSystem.StartAsync(withOpportunity: false);
        var delay = TimeSpan.FromMinutes(2);
        await system.AddRulesAsync([DelayedWelcome(delay)]);
        await using var recorder = await EventRecorder.StartAsync(system.Broker, [nameof(SendNotification)]);

        // Spread: 10,000 deals created over one minute, their actions due over one minute two minutes later.
        var due = new Dictionary<Guid, DateTimeOffset>();
        var created = new List<OpportunityCreated>();
        var load = await OpenLoopLoad.RunAsync(async () =>
        {
            var deal = Deal(Guid.NewGuid(), DateTimeOffset.UtcNow, "welcome", Guid.NewGuid());
            lock (created)
            {
                created.Add(deal);
                due[deal.OpportunityId] = deal.OccurredAt + delay;
            }

            await system.PublishAsync([deal]);
            return true;
        }, 167, TimeSpan.FromSeconds(60));
        Console.WriteLine($"spread: {created.Count:N0} deals created over {load.Elapsed.TotalSeconds:0} s; actions due {delay.TotalSeconds:0} s after each");
        await system.WaitForRunsAsync(created.Count, TimeSpan.FromMinutes(2));
        await MeasureFiringAsync(system, recorder, due, created.Count);

        // Burst: 10,000 actions due at the same instant.
        var at = DateTimeOffset.UtcNow;
        var burst = Enumerable.Range(0, 10_000).Select(_ => Deal(Guid.NewGuid(), at, "welcome", Guid.NewGuid())).ToList();
        foreach (var deal in burst)
        {
            due[deal.OpportunityId] = at + delay;
        }

        await system.PublishAsync(burst);
        Console.WriteLine($"burst: {burst.Count:N0} deals created at the same instant; every action due at {at + delay:HH:mm:ss}");
        await system.WaitForRunsAsync(created.Count + burst.Count, TimeSpan.FromMinutes(2));
        await MeasureFiringAsync(system, recorder, due, created.Count + burst.Count, burst.Select(d => d.OpportunityId).ToHashSet());
    }

    /// <summary>From each action's due time to its command on the broker (the outbox dispatched it), and the scheduler's own lateness.</summary>
    private static async Task MeasureFiringAsync(
        AutomationSystem system, EventRecorder recorder, Dictionary<Guid, DateTimeOffset> due, int total, IReadOnlySet<Guid>? only = null)
    {
        var firstDue = due.Where(d => only is null || only.Contains(d.Key)).Min(d => d.Value);
        // The system idle meanwhile (polls, heartbeats, timers): what a minute of it costs apart from the actions.
        var idleFrom = MachineCpu.ReadOwn();
        var idleClock = Stopwatch.StartNew();
        var wait = firstDue - DateTimeOffset.UtcNow - TimeSpan.FromSeconds(1);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        var idlePerSecond = (Total(MachineCpu.ReadOwn()) - Total(idleFrom)) / idleClock.Elapsed.TotalSeconds;
        var cpuBefore = MachineCpu.ReadOwn();
        var firing = Stopwatch.StartNew();
        var sent = await Eventually.Until(() => Task.FromResult(recorder.Of(nameof(SendNotification))), s => s.Count >= total, TimeSpan.FromMinutes(5), $"{total} notifications");
        var measured = sent.Where(s => only is null || only.Contains(s.Guid("opportunityId"))).ToList();
        var cpuAfter = MachineCpu.ReadOwn();
        var cpu = cpuAfter.PerOperationSince(cpuBefore, measured.Count);
        var marginal = (Total(cpuAfter) - Total(cpuBefore) - idlePerSecond * firing.Elapsed.TotalSeconds).TotalMilliseconds / measured.Count;
        var published = new Latencies(measured.Select(s => (s.ReceivedAt - due[s.Guid("opportunityId")]).TotalMilliseconds));
        var fired = await system.LatenessAsync(only);
        Console.WriteLine($"  due → command received from the broker: {published}");
        Console.WriteLine($"  due → fired (the run's commit), by the scheduler: {fired}");
        Console.WriteLine($"  CPU ms per action: {cpu}");
        Console.WriteLine($"  of which the actions' own, less the system idle ({idlePerSecond.TotalMilliseconds:0} ms of CPU per second, measured before): {marginal:0.00} ms per action");
    }

    private static TimeSpan Total(MachineCpu cpu) => cpu.ByPart.Values.Aggregate(TimeSpan.Zero, (sum, part) => sum + part);

    public static async Task RunSimulationAsync()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("BENCH_EVENTS"), out var n) ? n : 100_000;
        await using var system = await AutomationSystem.StartAsync(withOpportunity: true);
        var written = await system.RecordHistoryAsync(count);
        Console.WriteLine($"recorded {written:N0} events of {count / 5:N0} deals over the last year in the opportunity service's history");
        var rule = await system.SeededRuleAsync("Quote follow-up");
        for (var round = 1; round <= 3; round++)
        {
            var cpuBefore = MachineCpu.ReadOwn();
            var clock = Stopwatch.StartNew();
            using var response = await system.Automation.PostAsJsonAsync("/api/automation/rules/simulate", new
            {
                ruleId = rule, from = DateTimeOffset.UtcNow.AddYears(-1), to = DateTimeOffset.UtcNow,
            });
            var elapsed = clock.Elapsed;
            var result = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"simulate: {(int)response.StatusCode} {result}");
            }

            var events = result.GetProperty("eventsRead").GetInt32();
            Console.WriteLine($"simulation {round}: {events:N0} events replayed in {elapsed.TotalSeconds:0.00} s " +
                              $"({result.GetProperty("fired").GetInt32():N0} fired, {result.GetProperty("skipped").GetInt32():N0} skipped)");
            Console.WriteLine($"  CPU ms per event: {MachineCpu.ReadOwn().PerOperationSince(cpuBefore, events)}");
        }
    }

    /// <summary>
    /// 100 rules as a large sales organisation might have them: stage alerts, quote follow-ups, welcome and outcome
    /// notes, each for a segment (ten segments of the twenty the deals use); most conditions fail for a given event.
    /// </summary>
    private static IEnumerable<object> HundredRules(Guid[] stages) => Enumerable.Range(0, 100).Select(i =>
    {
        var segment = Segments[i % 10];
        var notify = new[] { new { type = "notify", recipients = new[] { "owner" } } };
        return (i % 5) switch
        {
            0 => (object)new
            {
                name = $"Stage alert {i}", trigger = new { type = "StageChanged", toStageId = stages[1 + i / 5 % 4] },
                conditions = new[] { new { field = "segment", @operator = "eq", value = (object)segment } }, actions = notify,
            },
            1 => new
            {
                name = $"Quote follow-up {i}", trigger = new { type = "QuoteSent" }, delay = "P3D",
                conditions = new[] { new { field = "amount", @operator = "lt", value = (object)(2000 + 100 * i) }, new { field = "segment", @operator = "eq", value = (object)segment } },
                actions = notify,
            },
            2 => new
            {
                name = $"Welcome {i}", trigger = new { type = "OpportunityCreated" },
                conditions = new[] { new { field = "segment", @operator = "eq", value = (object)segment }, new { field = "source", @operator = "in", value = (object)new[] { "inbound", "partner" } } },
                actions = notify,
            },
            3 => new
            {
                name = $"Big win {i}", trigger = new { type = "OpportunityWon" },
                conditions = new[] { new { field = "amount", @operator = "gt", value = (object)(1000 * i) }, new { field = "segment", @operator = "eq", value = (object)segment } },
                actions = notify,
            },
            _ => new
            {
                name = $"Loss review {i}", trigger = new { type = "OpportunityLost" },
                conditions = new[] { new { field = "segment", @operator = "eq", value = (object)segment } }, actions = notify,
            },
        };
    });

    private static object DelayedWelcome(TimeSpan delay) => new
    {
        name = "Welcome call", trigger = new { type = "OpportunityCreated" }, delay = System.Xml.XmlConvert.ToString(delay),
        conditions = new[] { new { field = "segment", @operator = "eq", value = "welcome" } },
        actions = new[] { new { type = "notify", recipients = new[] { "owner" } } },
    };

    /// <summary>Each deal's life: created, updated, moved twice, a quote sent (and for half, accepted), won or lost.</summary>
    private static IEnumerable<IntegrationMessage> DealEvents(int deals, Guid[] stages, DateTimeOffset start)
    {
        var random = new Random(7);
        for (var d = 0; d < deals; d++)
        {
            var id = Guid.NewGuid();
            var at = start.AddMilliseconds(d);
            var segment = Segments[random.Next(Segments.Length)];
            var amount = random.Next(500, 50_000);
            var created = Deal(id, at, segment, stages[0]) with { Amount = amount, Source = random.Next(3) switch { 0 => "inbound", 1 => "partner", _ => "outbound" } };
            yield return created;
            yield return new OpportunityUpdated
            {
                OrganizationId = DemoUsers.Acme, OpportunityId = id, Version = 2, OccurredAt = at.AddSeconds(1), Changes = [new FieldChange("title", "Deal", "Deal (renewal)")],
                Title = "Deal (renewal)", OwnerId = created.OwnerId, TeamId = created.TeamId, Amount = amount, Currency = "EUR", Probability = 10, Segment = segment,
                Source = created.Source,
            };
            for (var s = 1; s <= 2; s++)
            {
                yield return new StageChanged
                {
                    OrganizationId = DemoUsers.Acme, OpportunityId = id, Version = 2 + s, OccurredAt = at.AddSeconds(1 + s), PipelineId = PipelineId,
                    FromStageId = stages[s - 1], FromStageName = $"Stage {s - 1}", ToStageId = stages[s + random.Next(2)], ToStageName = $"Stage {s}",
                    Probability = 20 * s, Amount = amount, Currency = "EUR", OwnerId = created.OwnerId, TeamId = created.TeamId, TimeInPreviousStage = TimeSpan.FromSeconds(1),
                };
            }

            var quote = Guid.NewGuid();
            yield return new QuoteSent
            {
                OrganizationId = DemoUsers.Acme, OpportunityId = id, QuoteId = quote, QuoteNumber = $"Q-{d:000000}", OccurredAt = at.AddSeconds(4), Amount = amount,
                Currency = "EUR", OwnerId = created.OwnerId, TeamId = created.TeamId, ContactEmail = "buyer@customer.test", SentAt = at.AddSeconds(4),
            };
            if (d % 2 == 0)
            {
                yield return new QuoteAccepted { OrganizationId = DemoUsers.Acme, OpportunityId = id, QuoteId = quote, QuoteNumber = $"Q-{d:000000}", OccurredAt = at.AddSeconds(5) };
            }

            yield return d % 3 == 0
                ? new OpportunityLost
                {
                    OrganizationId = DemoUsers.Acme, OpportunityId = id, Version = 5, OccurredAt = at.AddSeconds(6), PipelineId = PipelineId, StageId = stages[2],
                    Reason = "Price", Amount = amount, Currency = "EUR", OwnerId = created.OwnerId, TeamId = created.TeamId, ClosedAt = at.AddSeconds(6), TimeInStage = TimeSpan.FromSeconds(1),
                }
                : new OpportunityWon
                {
                    OrganizationId = DemoUsers.Acme, OpportunityId = id, Version = 5, OccurredAt = at.AddSeconds(6), PipelineId = PipelineId, StageId = stages[2],
                    Amount = amount, Currency = "EUR", OwnerId = created.OwnerId, TeamId = created.TeamId, ClosedAt = at.AddSeconds(6), TimeInStage = TimeSpan.FromSeconds(1),
                };
        }
    }

    private static readonly Guid PipelineId = new("b0b0b0b0-0000-0000-0000-000000000001");

    private static OpportunityCreated Deal(Guid id, DateTimeOffset at, string segment, Guid stage) => new()
    {
        OrganizationId = DemoUsers.Acme, OpportunityId = id, Version = 1, OccurredAt = at, CreatedAt = at, PipelineId = PipelineId, StageId = stage,
        StageName = "Stage 0", Title = "Deal", OwnerId = DemoUsers.AliceId, TeamId = DemoUsers.East, Amount = 1000, Currency = "EUR", Probability = 10,
        Segment = segment, Source = "inbound",
    };

    private sealed class AutomationSystem : IAsyncDisposable
    {
        private readonly List<IAsyncDisposable> _resources = [];
        private readonly List<ServiceProcess.Running> _processes = [];
        private ServiceProcess _automation = null!;
        private ServiceProcess.Running? _running;
        private IHost _publisher = null!;
        private TestDatabase _database = null!;
        private TestDatabase? _opportunityDatabase;
        private IssuerProcess _issuer = null!;

        public Uri Broker { get; private set; } = null!;

        public HttpClient Automation { get; private set; } = null!;

        public static async Task<AutomationSystem> StartAsync(bool withOpportunity)
        {
            var system = new AutomationSystem();
            var broker = await TestVirtualHost.CreateAsync();
            system._resources.Add(broker);
            system.Broker = broker.Uri;
            system._database = await TestDatabase.CreateAsync("bench_automation");
            system._resources.Add(system._database);
            system._automation = new ServiceProcess("Pipeline.Automation", new Dictionary<string, string>
            {
                ["ConnectionStrings__automationdb"] = system._database.ConnectionString,
                ["ConnectionStrings__messaging"] = broker.Uri.ToString(),
                ["services__opportunity__http__0"] = $"http://127.0.0.1:{OpportunityPort}",
                ["Automation__TimeTriggersEnabled"] = "false",
            });
            // The service's queues first, so that identity's users and organisations reach it.
            await system._automation.RunToCompletionAsync("migrate");
            system._issuer = await IssuerProcess.StartAsync(broker.Uri);
            system._resources.Add(system._issuer);
            if (withOpportunity)
            {
                system._opportunityDatabase = await TestDatabase.CreateAsync("bench_simulation_opportunity");
                system._resources.Add(system._opportunityDatabase);
                var opportunity = new ServiceProcess("Pipeline.Opportunity", new Dictionary<string, string>
                {
                    ["ConnectionStrings__opportunitydb"] = system._opportunityDatabase.ConnectionString,
                    ["ConnectionStrings__messaging"] = broker.Uri.ToString(),
                    ["Authentication__Authority"] = system._issuer.Address.ToString(),
                });
                await opportunity.RunToCompletionAsync("migrate");
                system._processes.Add(opportunity.Start($"--urls=http://127.0.0.1:{OpportunityPort}"));
            }

            system.StartAutomation();
            system.Automation = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{AutomationPort}"), Timeout = TimeSpan.FromMinutes(2) };
            system.Automation.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await system._issuer.TokenAsync(DemoUsers.AcmeAdmin));
            await Eventually.Until(async () =>
            {
                try
                {
                    return (await system.Automation.GetAsync("/health")).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(90), "the automation service is up");
            await Eventually.Until(() => system.CountAsync("SELECT count(*) FROM rule_seeds"), n => n >= 2, TimeSpan.FromSeconds(60), "Acme's profile is known");

            system._publisher = await TestPublisher.StartAsync(broker.Uri);
            return system;
        }

        public void StartAutomation()
        {
            _running = _automation.Start($"--urls=http://127.0.0.1:{AutomationPort}", $"--Authentication:Authority={_issuer.Address}");
            _processes.Add(_running);
        }

        public void StopAutomation() => _running!.Kill();

        /// <summary>A pipeline of five stages for Acme, as the opportunity service would publish it; returns the stages.</summary>
        public async Task<Guid[]> PublishPipelineAsync()
        {
            var stages = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToArray();
            await PublishAsync([new PipelineChanged
            {
                OrganizationId = DemoUsers.Acme, PipelineId = PipelineId, Name = "Bench", IsDefault = false,
                Stages = stages.Select((id, i) => new PipelineStageDefinition(id, $"Stage {i}", i + 1, 10 + 20 * i, 14)).ToList(),
            }]);
            await Eventually.Until(() => CountAsync("SELECT count(*) FROM pipeline_stages"), n => n >= 5, TimeSpan.FromSeconds(30), "the pipeline is known");
            return stages;
        }

        public async Task AddRulesAsync(IEnumerable<object> rules)
        {
            foreach (var rule in rules)
            {
                using var response = await Automation.PostAsJsonAsync("/api/automation/rules", rule);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"rule refused: {await response.Content.ReadAsStringAsync()}");
                }
            }
        }

        public async Task<Guid> SeededRuleAsync(string name)
        {
            var rules = await Automation.GetFromJsonAsync<JsonElement>("/api/automation/rules?limit=200");
            return rules.GetProperty("items").EnumerateArray().Single(r => r.GetProperty("name").GetString() == name).GetProperty("id").GetGuid();
        }

        public async Task PublishAsync(IReadOnlyList<IntegrationMessage> messages)
        {
            var bus = _publisher.Services.GetRequiredService<IBus>();
            foreach (var chunk in messages.Chunk(200))
            {
                await Task.WhenAll(chunk.Select(m => bus.Publish(m, m.GetType())));
            }
        }

        /// <summary>Transactions that applied deal events: the inbox records each transaction's events at one instant.</summary>
        public Task<long> BatchesAsync() => CountAsync("SELECT count(DISTINCT processed_at) FROM inbox_messages WHERE consumer = 'DealEventsConsumer'");

        public Task<long> HandledAsync() => CountAsync("SELECT count(*) FROM inbox_messages WHERE consumer = 'DealEventsConsumer'");

        public Task WaitForHandledAsync(long count, TimeSpan timeout) =>
            Eventually.Until(HandledAsync, n => n >= count, timeout, $"{count} events handled");

        public Task WaitForRunsAsync(long count, TimeSpan timeout) =>
            Eventually.Until(() => CountAsync("SELECT count(*) FROM rule_runs"), n => n >= count, timeout, $"{count} runs recorded");

        public async Task<(long Runs, long Fired)> RunsAsync() =>
            (await CountAsync("SELECT count(*) FROM rule_runs"), await CountAsync("SELECT count(*) FROM rule_runs WHERE status = 'fired'"));

        /// <summary>fired_at − due_at of the fired runs (of <paramref name="only"/>'s deals).</summary>
        public async Task<Latencies> LatenessAsync(IReadOnlySet<Guid>? only)
        {
            await using var connection = new NpgsqlConnection(_database.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT opportunity_id, extract(epoch FROM fired_at - due_at) * 1000 FROM rule_runs WHERE status = 'fired'", connection);
            var lateness = new List<double>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                if (only is null || only.Contains(reader.GetGuid(0)))
                {
                    lateness.Add(Convert.ToDouble(reader.GetValue(1), CultureInfo.InvariantCulture));
                }
            }

            return new Latencies(lateness);
        }

        /// <summary>
        /// Writes <paramref name="count"/> events of Acme into the opportunity service's event history, as it records
        /// them: deals created over the last year, moved, quoted (half the quotes accepted the next day), won or lost.
        /// </summary>
        public async Task<int> RecordHistoryAsync(int count)
        {
            await using var connection = new NpgsqlConnection(_opportunityDatabase!.ConnectionString);
            await connection.OpenAsync();
            var start = DateTimeOffset.UtcNow.AddDays(-360);
            var stages = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToArray();
            var written = 0;
            await using (var writer = await connection.BeginBinaryImportAsync(
                "COPY published_events (organization_id, event_id, type, body, occurred_at) FROM STDIN (FORMAT BINARY)"))
            {
                var random = new Random(11);
                foreach (var message in DealEvents(count / 5, stages, start).Where(m => m is not OpportunityUpdated))
                {
                    // The deals spread over the year: a day apart every hundred deals or so.
                    var shifted = Shift(message, TimeSpan.FromMinutes(random.Next(0, 60)) + TimeSpan.FromDays(written / 5 * 360.0 / (count / 5)));
                    await writer.StartRowAsync();
                    await writer.WriteAsync(DemoUsers.Acme, NpgsqlDbType.Uuid);
                    await writer.WriteAsync(shifted.EventId, NpgsqlDbType.Uuid);
                    await writer.WriteAsync(shifted.GetType().Name, NpgsqlDbType.Text);
                    await writer.WriteAsync(JsonSerializer.Serialize(shifted, shifted.GetType(), MessageSerialization.Options), NpgsqlDbType.Text);
                    await writer.WriteAsync(shifted.OccurredAt, NpgsqlDbType.TimestampTz);
                    written++;
                }

                await writer.CompleteAsync();
            }

            return written;
        }

        private static IntegrationMessage Shift(IntegrationMessage message, TimeSpan by) => message switch
        {
            OpportunityCreated m => m with { OccurredAt = m.OccurredAt + by, CreatedAt = m.CreatedAt + by },
            QuoteSent m => m with { OccurredAt = m.OccurredAt + by, SentAt = m.SentAt + by },
            QuoteAccepted m => m with { OccurredAt = m.OccurredAt + by + TimeSpan.FromDays(1) },
            OpportunityWon m => m with { OccurredAt = m.OccurredAt + by + TimeSpan.FromDays(5), ClosedAt = m.ClosedAt + by + TimeSpan.FromDays(5) },
            OpportunityLost m => m with { OccurredAt = m.OccurredAt + by + TimeSpan.FromDays(5), ClosedAt = m.ClosedAt + by + TimeSpan.FromDays(5) },
            _ => message with { OccurredAt = message.OccurredAt + by },
        };

        private async Task<long> CountAsync(string sql) => await _database.CountAsync(sql);

        public async ValueTask DisposeAsync()
        {
            if (_publisher is not null)
            {
                await _publisher.StopAsync();
                _publisher.Dispose();
            }

            foreach (var process in _processes)
            {
                try
                {
                    process.Dispose();
                }
                catch (InvalidOperationException)
                {
                    // Killed before.
                }
            }

            foreach (var resource in Enumerable.Reverse(_resources))
            {
                await resource.DisposeAsync();
            }
        }
    }
}
