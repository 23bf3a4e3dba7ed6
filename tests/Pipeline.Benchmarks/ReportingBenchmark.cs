using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.Benchmarks;

/// <summary>
/// The reporting service: (1) each report over 1,000,000 deals, 5,000,000 stage stays and 7,000,000 changes, against
/// the same report of an organisation with no deals as the baseline (<c>review</c>: the pipeline review alone, over
/// the same deals and changes without the rollups the other reports read, which take most of the fill); (2) the lag from a stage move committed in the opportunity
/// service to the reports reflecting it, at 500 moves/s, and then the throughput of a rebuild of those events.
/// </summary>
public static class ReportingBenchmark
{
    private const int ReportingPort = 5491;
    private const int OpportunityPort = 5492;

    /// <summary>The pipeline review: a week of changes (the default window), for the organisation, a team (what a rep or manager sees), an owner, a segment and source.</summary>
    private static readonly string[] ReviewReports =
    [
        "changes", "changes?limit=200", "changes?teamId=a0000000-0000-0000-0000-0000000000e1", "changes?ownerId=owner-7",
        "changes?segment=smb&source=inbound",
    ];

    public static async Task RunReportsAsync()
    {
        // BENCH_REPORTS=summary,forecast?months=12 measures only those.
        var reports = Environment.GetEnvironmentVariable("BENCH_REPORTS")?.Split(',') ?? new[]
        {
            "summary", "summary?segment=smb", "summary?ownerId=owner-7", "summary?segment=smb&source=inbound", "summary?ownerId=owner-7&segment=smb",
            "funnel", "funnel?segment=smb", "funnel?ownerId=owner-7", "funnel?segment=smb&source=inbound",
            "forecast?months=12",
            "win-loss?groupBy=segment", "win-loss?groupBy=owner", "win-loss?groupBy=owner&source=partner", "win-loss?groupBy=owner&segment=smb",
            "win-loss?groupBy=source&segment=smb", "stale?limit=50", "slipped?limit=50",
        }.Concat(ReviewReports);
        await MeasureReportsAsync(reports, rollups: true);
    }

    /// <summary>
    /// The pipeline review over the million deals and their changes. The deals' triggers are off while they are
    /// filled: the rollups they derive are what the other reports read, not this one, and they take most of the fill.
    /// BENCH_REVIEW_ORDER=deal stores the changes deal after deal (as a rebuild writes them) rather than in the order
    /// they happened (as the live projection appends them).
    /// </summary>
    public static Task RunReviewAsync() => MeasureReportsAsync(Environment.GetEnvironmentVariable("BENCH_REPORTS")?.Split(',') ?? ReviewReports, rollups: false);

    private static async Task MeasureReportsAsync(IEnumerable<string> reports, bool rollups)
    {
        var deals = int.TryParse(Environment.GetEnvironmentVariable("BENCH_DEALS"), out var n) ? n : 1_000_000;
        await using var system = await ReportingSystem.StartAsync(withOpportunity: false);
        var clock = Stopwatch.StartNew();
        await system.FillAsync(deals, rollups, inTimeOrder: Environment.GetEnvironmentVariable("BENCH_REVIEW_ORDER") != "deal");
        Console.WriteLine($"filled {deals:N0} deals, {deals * 5:N0} stage stays and {await system.ChangesAsync():N0} changes in {clock.Elapsed.TotalSeconds:0} s");

        foreach (var report in reports)
        {
            var url = $"/api/reports/{report}";
            foreach (var (who, client) in new[] { ("Acme (data)  ", system.Admin), ("Globex (none)", system.EmptyOrganization) })
            {
                // One request at a time: the time a manager waits for the report, without queueing behind others.
                var timings = new List<double>();
                var failures = 0;
                MachineCpu? cpuBefore = null;
                for (var i = 0; i < 22; i++)
                {
                    if (i == 2)
                    {
                        cpuBefore = MachineCpu.Read(); // the first two warm up
                    }

                    var request = Stopwatch.StartNew();
                    failures += await OkAsync(client, url) ? 0 : 1;
                    if (i >= 2)
                    {
                        timings.Add(request.Elapsed.TotalMilliseconds);
                    }
                }

                Console.WriteLine($"{report,-26} {who}: one at a time, {failures} failed, {new Latencies(timings)}; CPU ms per request: {MachineCpu.Read().PerOperationSince(cpuBefore!, timings.Count)}");
            }
        }
    }

    public static async Task RunLagAsync()
    {
        await using var system = await ReportingSystem.StartAsync(withOpportunity: true);
        var rate = int.TryParse(Environment.GetEnvironmentVariable("BENCH_RATE"), out var r) ? r : 500;
        var stages = (await (await system.Opportunity!.GetAsync("/api/pipelines")).Content.ReadFromJsonAsync<JsonElement>())[0].GetProperty("stages")
            .EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).ToArray();

        // Deals to move, made beforehand so that the measured load is stage moves only.
        var deals = new List<Guid>();
        await OpenLoopLoad.RunAsync(async () =>
        {
            using var response = await system.Opportunity!.PostAsJsonAsync("/api/opportunities", new { title = "Lag deal", amount = 900, currency = "EUR" });
            var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            lock (deals)
            {
                deals.Add(id);
            }

            return true;
        }, 200, TimeSpan.FromSeconds(10));
        await system.WaitUntilProjectedAsync(deals.Count);
        await system.AnalyzeAsync();

        var next = 0;
        Task<OpenLoopLoad.Result> MovesAsync(TimeSpan duration) => OpenLoopLoad.RunAsync(async () =>
        {
            var i = Interlocked.Increment(ref next);
            var deal = deals[i % deals.Count];
            using var response = await system.Opportunity!.PostAsJsonAsync($"/api/opportunities/{deal}/stage", new { stageId = stages[1 + (i / deals.Count) % 4] });
            return response.IsSuccessStatusCode;
        }, rate, duration);

        // Warm-up, not counted: for the first minute after start-up the JIT takes much of the two cores.
        var warmUpStart = DateTimeOffset.UtcNow;
        var warmUp = await MovesAsync(TimeSpan.FromSeconds(30));
        await system.LagAsync(warmUpStart, warmUp.Latencies.Count - warmUp.Failures);

        var since = DateTimeOffset.UtcNow;
        var cpuBefore = MachineCpu.Read();
        using var loadOver = new CancellationTokenSource();
        var outboxBacklog = system.SampleOutboxBacklogAsync(loadOver.Token);
        var moves = await MovesAsync(TimeSpan.FromSeconds(20));
        await loadOver.CancelAsync();
        var backlog = await outboxBacklog;
        var lag = await system.LagAsync(since, moves.Latencies.Count - moves.Failures);
        // Until every move is projected: a projection that falls behind does part of its work after the load.
        var cpu = MachineCpu.Read().PerOperationSince(cpuBefore, moves.Latencies.Count);
        Console.WriteLine($"stage moves at {rate}/s: {moves.Failures} failed, request {moves.Latencies}");
        Console.WriteLine($"commit in the opportunity service to the reports reflecting it: {lag}");
        Console.WriteLine($"  events committed but not yet published (outbox), sampled during the load: p50 {backlog.Order().ElementAt(backlog.Count / 2)}, max {backlog.Max()}");
        Console.WriteLine($"  CPU ms per stage move: {cpu}");

        var rebuild = Stopwatch.StartNew();
        var (events, projected) = await system.RebuildAsync();
        Console.WriteLine($"rebuild: {events:N0} events read and {projected:N0} deals projected in {rebuild.Elapsed.TotalSeconds:0.0} s: {events / rebuild.Elapsed.TotalSeconds:N0} events/s");
    }

    private static async Task<bool> OkAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        return response.IsSuccessStatusCode;
    }

    private sealed class ReportingSystem : IAsyncDisposable
    {
        private readonly List<IAsyncDisposable> _resources = [];
        private readonly List<ServiceProcess.Running> _processes = [];

        public HttpClient Admin { get; private set; } = null!;

        public HttpClient EmptyOrganization { get; private set; } = null!;

        public HttpClient? Opportunity { get; private set; }

        private TestDatabase? _opportunityDatabase;

        private TestDatabase Reporting { get; set; } = null!;

        /// <summary>
        /// What autovacuum does within a minute or two of a new database's first writes. Without statistics the
        /// planner may read a deal through an index of its organisation (every deal of it) rather than its key.
        /// </summary>
        public async Task AnalyzeAsync()
        {
            await Reporting.ExecuteAsync("ANALYZE");
            if (_opportunityDatabase is not null)
            {
                await _opportunityDatabase.ExecuteAsync("ANALYZE");
            }
        }

        public static async Task<ReportingSystem> StartAsync(bool withOpportunity)
        {
            var system = new ReportingSystem();
            var broker = await TestVirtualHost.CreateAsync();
            system._resources.Add(broker);
            system.Reporting = await TestDatabase.CreateAsync("bench_reporting");
            system._resources.Add(system.Reporting);
            var issuer = await IssuerProcess.StartAsync(broker.Uri);
            system._resources.Add(issuer);
            var environment = new Dictionary<string, string>
            {
                ["ConnectionStrings__reportingdb"] = system.Reporting.ConnectionString,
                ["ConnectionStrings__messaging"] = broker.Uri.ToString(),
                ["Authentication__Authority"] = issuer.Address.ToString(),
                ["services__opportunity__http__0"] = $"http://127.0.0.1:{OpportunityPort}",
            };
            var reporting = new ServiceProcess("Pipeline.Reporting", environment);
            await reporting.RunToCompletionAsync("migrate");
            if (withOpportunity)
            {
                var opportunityDb = await TestDatabase.CreateAsync("bench_lag_opportunity");
                system._resources.Add(opportunityDb);
                system._opportunityDatabase = opportunityDb;
                var opportunity = new ServiceProcess("Pipeline.Opportunity", new Dictionary<string, string>
                {
                    ["ConnectionStrings__opportunitydb"] = opportunityDb.ConnectionString,
                    ["ConnectionStrings__messaging"] = broker.Uri.ToString(),
                    ["Authentication__Authority"] = issuer.Address.ToString(),
                });
                await opportunity.RunToCompletionAsync("migrate");
                system._processes.Add(opportunity.Start($"--urls=http://127.0.0.1:{OpportunityPort}"));
                system.Opportunity = await Client(OpportunityPort, await issuer.TokenAsync(DemoUsers.AcmeAdmin));
            }

            system._processes.Add(reporting.Start($"--urls=http://127.0.0.1:{ReportingPort}"));
            system.Admin = await Client(ReportingPort, await issuer.TokenAsync(DemoUsers.AcmeAdmin));
            system.EmptyOrganization = await Client(ReportingPort, await issuer.TokenAsync(DemoUsers.Eve));
            return system;
        }

        private static async Task<HttpClient> Client(int port, string token)
        {
            var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            await Eventually.Until(async () =>
            {
                try
                {
                    return (await client.GetAsync("/health")).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(60), $"the service on {port} answers");
            return client;
        }

        /// <summary>
        /// Read models as the projection writes them, in SQL for speed (the database's triggers add the rollups as
        /// they would for projected deals, unless <paramref name="rollups"/> is false): deals over 3 years, 5 stays
        /// each, and their changes (created, four moves forward, won or lost, up to two pushes, an amount raised for
        /// one in four: about 7 per deal), stored in the order they happened (<paramref name="inTimeOrder"/>, as the
        /// live projection appends them) or deal after deal (as a rebuild writes them). Owner, currency, segment and source are
        /// drawn independently of one another: the most combinations, the least the rollups can fold together. A deal
        /// spends 10–19 % of its age in each of the first four stages and is in the fifth since.
        /// </summary>
        public async Task FillAsync(int deals, bool rollups, bool inTimeOrder)
        {
            // Replica mode skips the triggers, which derive the rollups.
            var triggers = rollups ? "" : "SET LOCAL session_replication_role = replica;";
            var pipeline = Guid.NewGuid();
            var stages = Enumerable.Range(1, 5).Select(_ => Guid.NewGuid()).ToArray();
            var stageArray = $"ARRAY[{string.Join(',', stages.Select(s => $"'{s}'"))}]::uuid[]";
            await Reporting.ExecuteAsync($"""
                INSERT INTO projection_states (organization_id, active_generation) VALUES ('{DemoUsers.Acme}', 1);
                INSERT INTO rate_tables (organization_id, quoted_in, quoted_at) VALUES ('{DemoUsers.Acme}', 'EUR', now());
                INSERT INTO rates (organization_id, currency, effective_from, rate) VALUES ('{DemoUsers.Acme}', 'USD', '2020-01-01', 0.9), ('{DemoUsers.Acme}', 'GBP', '2020-01-01', 1.15);
                INSERT INTO pipeline_stages (organization_id, pipeline_id, stage_id, name, "order", probability, rotting_days, is_default_pipeline, removed)
                SELECT '{DemoUsers.Acme}', '{pipeline}', ({stageArray})[i], 'Stage ' || i, i, i * 15, 14, true, false FROM generate_series(1, 5) AS i;
                """);
            foreach (var chunk in Enumerable.Range(0, (deals + 99_999) / 100_000))
            {
                var from = chunk * 100_000 + 1;
                var to = Math.Min(deals, (chunk + 1) * 100_000);
                await Reporting.ExecuteAsync($"""
                    BEGIN;
                    {triggers}
                    INSERT INTO deals (organization_id, generation, opportunity_id, last_version, pipeline_id, stage_id, title, owner_id, team_id, amount,
                        currency, probability, status, segment, source, lost_reason, created_at, closed_at, expected_decision_date, last_touched_at, push_count, pushed_days)
                    SELECT '{DemoUsers.Acme}', 1, md5(n::text)::uuid, 6, '{pipeline}', ({stageArray})[1 + n % 5], 'Deal ' || n,
                        'owner-' || (hashint4(n) & 1023) % 40, ('a0000000-0000-0000-0000-0000000000e' || (1 + n % 2))::uuid, 100 + (n * 37) % 50000,
                        (ARRAY['EUR','USD','GBP'])[1 + (hashint4(n + 1) & 1023) % 3], 10 + n % 80,
                        (ARRAY['open','won','lost','won','lost'])[1 + n % 5], (ARRAY['smb','mid-market','enterprise'])[1 + (hashint4(n + 2) & 1023) % 3],
                        (ARRAY['inbound','outbound','partner','event'])[1 + (hashint4(n + 3) & 1023) % 4], CASE WHEN n % 5 IN (2, 4) THEN (ARRAY['Price','Timing','Competitor'])[1 + n % 3] END,
                        created, CASE WHEN n % 5 <> 0 THEN created + make_interval(days => 5 + n % 200) END,
                        (created + make_interval(days => 30 + n % 300))::date, created + make_interval(days => n % 60), n % 3, (n % 3) * 30
                    FROM (SELECT n, now() - make_interval(days => n % 1095) AS created FROM generate_series({from}, {to}) AS n) AS g;
                    INSERT INTO stage_intervals (organization_id, generation, opportunity_id, pipeline_id, stage_id, entered_at, exited_at, exit)
                    SELECT '{DemoUsers.Acme}', 1, md5(n::text)::uuid, '{pipeline}', ({stageArray})[s],
                        now() - make_interval(days => n % 1095) + make_interval(days => (s - 1) * step),
                        CASE WHEN s < 5 THEN now() - make_interval(days => n % 1095) + make_interval(days => s * step) END,
                        CASE WHEN s < 5 THEN 'moved' END
                    FROM (SELECT n, (n % 1095) * (10 + n % 10) / 100 AS step FROM generate_series({from}, {to}) AS n) AS g, generate_series(1, 5) AS s;
                    INSERT INTO deal_changes (organization_id, generation, opportunity_id, sequence, version, kind, at, from_value, to_value, from_stage_id,
                        to_stage_id, amount_delta, currency, open_delta, weighted_delta, previous_currency, removed_open_amount, removed_weighted_amount,
                        pipeline_id, owner_id, team_id, segment, source)
                    SELECT d.organization_id, 1, d.opportunity_id, c.seq, c.seq + 1, c.kind, c.at, c.from_value, c.to_value, c.from_stage, c.to_stage, c.delta,
                        d.currency, c.open, c.open_probability * d.amount / 100, d.currency, 0, 0, d.pipeline_id, d.owner_id, d.team_id, d.segment, d.source
                    FROM generate_series({from}, {to}) AS n
                    JOIN deals d ON d.organization_id = '{DemoUsers.Acme}' AND d.generation = 1 AND d.opportunity_id = md5(n::text)::uuid
                    CROSS JOIN LATERAL (SELECT (n % 1095) * (10 + n % 10) / 100 AS step, ({stageArray}) AS ids) AS g
                    CROSS JOIN LATERAL (VALUES
                        (0, 'created', d.created_at, NULL, 'Stage 1', NULL::uuid, g.ids[1], NULL::numeric, d.amount, 15),
                        (1, 'moved', d.created_at + make_interval(days => g.step), 'Stage 1', 'Stage 2', g.ids[1], g.ids[2], NULL, 0, 15),
                        (2, 'moved', d.created_at + make_interval(days => 2 * g.step), 'Stage 2', 'Stage 3', g.ids[2], g.ids[3], NULL, 0, 15),
                        (3, 'moved', d.created_at + make_interval(days => 3 * g.step), 'Stage 3', 'Stage 4', g.ids[3], g.ids[4], NULL, 0, 15),
                        (4, 'moved', d.created_at + make_interval(days => 4 * g.step), 'Stage 4', 'Stage 5', g.ids[4], g.ids[5], NULL, 0, 15),
                        (5, nullif(d.status, 'open'), d.closed_at, NULL, d.lost_reason, g.ids[5], NULL, NULL, -d.amount, -75),
                        (6, CASE WHEN d.push_count >= 1 THEN 'pushed' END, d.created_at + interval '10 days',
                            (d.created_at + interval '30 days')::date::text, (d.created_at + interval '60 days')::date::text, NULL, NULL, NULL, 0, 0),
                        (7, CASE WHEN d.push_count >= 2 THEN 'pushed' END, d.created_at + interval '20 days',
                            (d.created_at + interval '60 days')::date::text, (d.created_at + interval '90 days')::date::text, NULL, NULL, NULL, 0, 0),
                        (8, CASE WHEN n % 4 = 0 THEN 'amountUp' END, d.created_at + interval '2 days', (d.amount - 1000)::text, d.amount::text, NULL, NULL,
                            1000, 1000, 15))
                        AS c(seq, kind, at, from_value, to_value, from_stage, to_stage, delta, open, open_probability)
                    WHERE c.kind IS NOT NULL
                    ORDER BY {(inTimeOrder ? "c.at" : "d.opportunity_id, c.seq")};
                    COMMIT;
                    """, timeoutSeconds: 600);
                if (rollups)
                {
                    await FoldRollupsAsync();
                }
            }

            if (rollups)
            {
                await FoldRollupsAsync();
            }

            await Reporting.ExecuteAsync("VACUUM ANALYZE deals", timeoutSeconds: 600);
            await Reporting.ExecuteAsync("VACUUM ANALYZE stage_intervals", timeoutSeconds: 600);
            await Reporting.ExecuteAsync("VACUUM ANALYZE deal_rollups", timeoutSeconds: 600);
            await Reporting.ExecuteAsync("VACUUM ANALYZE deal_rollup_deltas", timeoutSeconds: 600);
            await Reporting.ExecuteAsync("VACUUM ANALYZE deal_stages", timeoutSeconds: 600);
            await Reporting.ExecuteAsync("VACUUM ANALYZE stage_rollups", timeoutSeconds: 600);
            await Reporting.ExecuteAsync("VACUUM ANALYZE stage_rollup_deltas", timeoutSeconds: 600);
            await Reporting.ExecuteAsync("VACUUM ANALYZE deal_changes", timeoutSeconds: 600);
        }

        public Task<long> ChangesAsync() => Reporting.CountAsync("SELECT count(*) FROM deal_changes");

        /// <summary>Folds the rollup deltas the triggers appended, as the service's folder would (it may be folding too).</summary>
        private Task FoldRollupsAsync() => Eventually.Until(
            async () =>
            {
                await Reporting.ExecuteAsync("SELECT fold_deal_rollup_deltas() + fold_stage_rollup_deltas()", timeoutSeconds: 600);
                return await Reporting.CountAsync("SELECT (SELECT count(*) FROM deal_rollup_deltas) + (SELECT count(*) FROM stage_rollup_deltas)");
            },
            left => left == 0, TimeSpan.FromMinutes(10), "the rollup deltas folded");

        public Task WaitUntilProjectedAsync(int deals) =>
            Eventually.Until(() => Reporting.CountAsync("SELECT count(*) FROM deals"), count => count >= deals, TimeSpan.FromMinutes(2), "every deal projected");

        /// <summary>
        /// The opportunity service's outbox every 250 ms until cancelled: where a lag builds up, before the broker
        /// (the dispatcher behind) or after it (the projection behind).
        /// </summary>
        public async Task<List<long>> SampleOutboxBacklogAsync(CancellationToken loadOver)
        {
            var samples = new List<long>();
            using var every = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
            do
            {
                samples.Add(await _opportunityDatabase!.CountAsync("SELECT count(*) FROM outbox_messages"));
            }
            while (await every.WaitForNextTickAsync(CancellationToken.None) && !loadOver.IsCancellationRequested);

            return samples;
        }

        public async Task<Latencies> LagAsync(DateTimeOffset since, int moves)
        {
            await Eventually.Until(
                () => Reporting.CountAsync($"SELECT count(*) FROM deal_events WHERE type = 'StageChanged' AND occurred_at >= '{since:O}'"),
                count => count >= moves, TimeSpan.FromMinutes(3), "every stage move projected");
            var lags = new List<double>();
            await using var connection = new Npgsql.NpgsqlConnection(Reporting.ConnectionString);
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand(
                $"SELECT extract(epoch FROM recorded_at - occurred_at) * 1000 FROM deal_events WHERE type = 'StageChanged' AND occurred_at >= '{since:O}'", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lags.Add((double)reader.GetDecimal(0));
            }

            return new Latencies(lags);
        }

        public async Task<(int Events, int Deals)> RebuildAsync()
        {
            var job = await (await Admin.PostAsync("/api/reports/rebuild", null)).Content.ReadFromJsonAsync<JsonElement>();
            var done = await Eventually.Until(
                async () => await (await Admin.GetAsync($"/api/reports/rebuild/{job.GetProperty("id").GetGuid()}")).Content.ReadFromJsonAsync<JsonElement>(),
                j => j.GetProperty("status").GetString() != "running", TimeSpan.FromMinutes(10), "the rebuild finished");
            return (done.GetProperty("eventsRead").GetInt32(), done.GetProperty("dealsProjected").GetInt32());
        }

        public async ValueTask DisposeAsync()
        {
            Admin.Dispose();
            EmptyOrganization.Dispose();
            Opportunity?.Dispose();
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
