using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.Benchmarks;

/// <summary>
/// How fast an admin's CSV import goes (issue target: 100,000 rows in under 30 s on 2 cores): a generated native file
/// of 100,000 deals (open, won and lost, with historical dates and owners) posted to the opportunity service, timed
/// from the request to the job's completion; then how long the outbox takes to hand the events to the broker. The
/// service runs as its own Release process with its database, broker and the identity issuer, as in production.
/// </summary>
public static class ImportBenchmark
{
    private const int Rows = 100_000;
    private const string Header =
        "title,accountName,contactName,contactEmail,amount,currency,pipeline,stage,status,expectedDecisionDate,createdAt,closedAt,lostReason,ownerEmail,source,segment";

    public static async Task RunAsync()
    {
        await using var broker = await TestVirtualHost.CreateAsync();
        await using var database = await TestDatabase.CreateAsync("bench_import");
        var port = PrivateRabbitMqNode.FreePort();
        var environment = new Dictionary<string, string>
        {
            [$"ConnectionStrings__{ResourceNames.OpportunityDatabase}"] = database.ConnectionString,
            [$"ConnectionStrings__{ResourceNames.Messaging}"] = broker.Uri.ToString(),
        };
        // Queues first, so that the directory of users the issuer publishes at start reaches the service.
        await new ServiceProcess("Pipeline.Opportunity", environment).RunToCompletionAsync("migrate");
        await using var issuer = await IssuerProcess.StartAsync(broker.Uri);
        environment["Authentication__Authority"] = issuer.Address.ToString();
        using var service = new ServiceProcess("Pipeline.Opportunity", environment).Start($"--urls=http://127.0.0.1:{port}");
        using var client = await issuer.AuthorizeAsync(new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) },
            DemoUsers.AcmeAdmin);

        // Warm-up, and proof that the service knows the users: a small import whose owners all resolve.
        var warmUp = Generate(1_000);
        await Eventually.Until(async () =>
        {
            try
            {
                var job = await ImportAsync(client, warmUp, _ => { });
                return job.GetProperty("rowsDone").GetInt32() == 1_000;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(90), "a warm-up import of 1,000 rows succeeds");
        await Eventually.Until(() => OutboxBacklogAsync(database).ContinueWith(t => t.Result == 0), TimeSpan.FromSeconds(60), "the warm-up's events are out");

        var csv = Generate(Rows);
        Console.WriteLine($"file: {Rows:N0} rows, {csv.Length / 1024.0 / 1024:0.0} MiB (native CSV; 60 % open, 25 % won, 15 % lost)");
        var clock = Stopwatch.StartNew();
        var result = await ImportAsync(client, csv, progress => Console.WriteLine($"  {clock.Elapsed.TotalSeconds,5:0.0} s: {progress}"));
        var total = clock.Elapsed;
        var done = result.GetProperty("rowsDone").GetInt32();
        Console.WriteLine($"import: status {result.GetProperty("status").GetString()}, {done:N0} rows imported, " +
                          $"{result.GetProperty("rowsFailed").GetInt32():N0} failed, in {total.TotalSeconds:0.0} s: {done / total.TotalSeconds:N0} rows/s");

        var backlog = await OutboxBacklogAsync(database);
        await Eventually.Until(() => OutboxBacklogAsync(database).ContinueWith(t => t.Result == 0), TimeSpan.FromMinutes(5), "the outbox is empty");
        Console.WriteLine($"events: {backlog:N0} still in the outbox when the import ended; all at the broker {clock.Elapsed.TotalSeconds:0.0} s after the upload started");
    }

    /// <summary>Posts the file and polls the job until it ends, reporting progress as it goes.</summary>
    private static async Task<JsonElement> ImportAsync(HttpClient client, byte[] csv, Action<string> progress)
    {
        var watch = Stopwatch.StartNew();
        using var content = new ByteArrayContent(csv);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var accepted = await client.PostAsync("/api/opportunities/import", content);
        accepted.EnsureSuccessStatusCode();
        progress($"202 Accepted after {watch.Elapsed.TotalMilliseconds:0} ms (upload stored, header checked)");
        var location = accepted.Headers.Location!.ToString();
        var reported = -1;
        while (true)
        {
            var job = await client.GetFromJsonAsync<JsonElement>(location);
            var rowsDone = job.GetProperty("rowsDone").GetInt32();
            if (job.GetProperty("status").GetString() != "running")
            {
                return job;
            }

            if (rowsDone / 20_000 != reported / 20_000)
            {
                reported = rowsDone;
                progress($"{rowsDone:N0} of {job.GetProperty("rowsTotal").GetInt32():N0} rows done");
            }

            await Task.Delay(100);
        }
    }

    private static Task<long> OutboxBacklogAsync(TestDatabase database) => database.CountAsync("SELECT count(*) FROM outbox_messages");

    /// <summary>Deals as a migrating customer has them: three years of history, every status, four owners, accounts with commas.</summary>
    private static byte[] Generate(int rows)
    {
        var random = new Random(42);
        string[] owners = [DemoUsers.Alice, DemoUsers.Bob, DemoUsers.Carol, DemoUsers.Maria];
        string[] stages = ["Qualification", "Discovery meeting", "Proposal", "Negotiation & follow-up", "Decision"];
        string[] segments = ["smb", "mid-market", "enterprise"];
        var start = new DateTime(2023, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var text = new StringBuilder(rows * 220).Append(Header).Append("\r\n");
        for (var i = 0; i < rows; i++)
        {
            var created = start.AddMinutes(random.Next(0, 3 * 365 * 24 * 60));
            var roll = random.Next(100);
            var status = roll < 60 ? "open" : roll < 85 ? "won" : "lost";
            var closed = status == "open" ? "" : created.AddDays(random.Next(1, 200)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var decision = status == "open" ? DateOnly.FromDateTime(created).AddDays(random.Next(30, 400)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "";
            text.Append(CultureInfo.InvariantCulture,
                $"Deal {i},\"Account {i % 997}, Inc.\",Contact {i % 5000},contact{i % 5000}@customer.test,{random.Next(100, 500_000)}.{random.Next(100):00},");
            text.Append(CultureInfo.InvariantCulture,
                $"{(i % 10 == 0 ? "USD" : "EUR")},Default,{stages[random.Next(stages.Length)]},{status},{decision},{created:yyyy-MM-ddTHH:mm:ssZ},{closed},");
            text.Append(CultureInfo.InvariantCulture,
                $"{(status == "lost" ? "Price" : "")},{owners[i % owners.Length]},bench,{segments[i % segments.Length]}\r\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
