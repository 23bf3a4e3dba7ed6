using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using CsvHelper;
using Pipeline.Opportunity.Import;
using CsvField = Pipeline.Opportunity.Import.CsvField;

namespace Pipeline.Opportunity.DemoData;

/// <summary>
/// The demo deals (SPEC §2), made from the foreign CRM export shipped beside the service in
/// <c>DemoData/crm-sales-opportunities</c>: 8,800 deals of a hardware seller from October 2016 to December 2017,
/// mapped onto the demo reps as its README suggests, and moved in time so that the last deal closed today. Each deal
/// gets a journey generated from a fixed seed (the same file every time): its moves through the earlier stages (some
/// skipped, some backward), decision-date pushes, quotes sent, accepted or declined, activities done and upcoming,
/// and for some open deals nothing for longer than their stage's rotting days. The result is a native CSV file with
/// a <c>history</c> column, imported like any customer's (<see cref="ImportHistory"/>), so the funnel, the time in
/// stage, the slipped and stale lists and the automation have real journeys to show the moment a newcomer opens them.
/// </summary>
public static class DemoDeals
{
    public const string Folder = "DemoData/crm-sales-opportunities";

    /// <summary>Who gets the deals of each demo organisation, and in which currency.</summary>
    public sealed record Tenant(string AdminEmail, string Currency, Func<int, bool> TakesRow, Func<string, string> OwnerOf);

    /// <summary>Acme (EUR): every deal, the export's regional offices given to the demo reps (alice and bob: East, carol: West).</summary>
    public static readonly Tenant Acme = new("admin@acme.test", "EUR", _ => true, office => OwnerByOffice![office]);

    /// <summary>Globex (USD): a tenth of the deals, all eve's.</summary>
    public static readonly Tenant Globex = new("eve@globex.test", "USD", row => row % 10 == 7, _ => "eve@globex.test");

    private static readonly Dictionary<string, string> OwnerByOffice = new()
    {
        ["Central"] = "alice@acme.test", ["East"] = "bob@acme.test", ["West"] = "carol@acme.test",
    };

    public static IReadOnlyCollection<string> AcmeOwnerEmails => OwnerByOffice.Values;

    /// <summary>The default pipeline's stages and their rotting days (SalesPipeline.Default).</summary>
    private static readonly (string Name, int RottingDays)[] Stages =
        [("Qualification", 14), ("Discovery meeting", 14), ("Proposal", 21), ("Negotiation & follow-up", 21), ("Decision", 30)];

    private const int Proposal = 2;

    // The export names neither stages beyond "Engaging" nor lost reasons nor sources: they are spread evenly, by row.
    private static readonly int[] EngagedStages = [1, 2, 3, 4];
    private static readonly string[] LostReasons = ["Price", "Competitor", "No budget", "Timing", "No decision"];
    private static readonly string[] Sources = ["Inbound", "Outbound", "Referral", "Partner", "Event"];
    private static readonly string[] Calls = ["Discovery call", "Demo", "Follow-up call", "Meeting with the buyer", "Technical review", "Send the documentation"];

    private static readonly JsonSerializerOptions HistoryJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Writes <paramref name="tenant"/>'s demo deals as a native CSV file, dated relative to <paramref name="now"/>.</summary>
    public static void WriteNativeCsv(string folder, Tenant tenant, DateTimeOffset now, string path)
    {
        var sectors = Read(folder, "accounts.csv").ToDictionary(a => a[0], a => a[1] == "technolgy" ? "technology" : a[1]);
        var prices = Read(folder, "products.csv").ToDictionary(p => p[0], p => p[2]);
        prices.TryAdd("GTXPro", prices["GTX Pro"]);
        var offices = Read(folder, "sales_teams.csv").ToDictionary(t => t[0], t => t[2]);
        var deals = Read(folder, "sales_pipeline.csv");

        var today = DateOnly.FromDateTime(now.UtcDateTime);
        static DateOnly? Day(string text) => text.Length == 0 ? null : DateOnly.ParseExact(text, "dd-MM-yy", CultureInfo.InvariantCulture);
        var shift = today.DayNumber - deals.Max(d => Day(d[6]) ?? Day(d[5]) ?? DateOnly.MinValue).DayNumber;
        DateOnly? Shifted(string text) => Day(text) is { } day ? Min(day.AddDays(shift), today) : null;

        using var file = File.Create(path);
        using var csv = CsvWriter.Create(file);
        csv.WriteHeader(OpportunityCsv.Fields);
        for (var row = 0; row < deals.Count; row++)
        {
            if (!tenant.TakesRow(row))
            {
                continue;
            }

            // One generator per row: a row's journey does not depend on which rows a tenant takes.
            var random = new Random(20161020 + row);
            var (agent, product, account, dealStage, closeValue) = (deals[row][1], deals[row][2], deals[row][3], deals[row][4], deals[row][7]);
            var (status, stage) = dealStage switch
            {
                "Won" => ("won", Stages.Length - 1),
                "Lost" => ("lost", row % Stages.Length),
                "Engaging" => ("open", EngagedStages[row % EngagedStages.Length]),
                _ => ("open", 0),
            };

            // Prospects not engaged yet were found in the last two months.
            var createdDay = Shifted(deals[row][5]) ?? today.AddDays(-random.Next(1, 60));
            var createdAt = At(createdDay, random, now);
            var closedAt = status == "open" ? (DateTimeOffset?)null : Later(At(Shifted(deals[row][6]) ?? today, random, now), createdAt);
            var journey = new Journey(random, now, createdAt, closedAt);
            var decision = status == "open" ? Max(today.AddDays(row * 37 % 180 - 45), createdDay) : (DateOnly?)null;
            journey.Walk(stage, status);
            if (decision is { } final)
            {
                journey.PushDecisions(final);
            }

            journey.Quote(decimal.Parse(closeValue is "" or "0" ? prices[product] : closeValue, CultureInfo.InvariantCulture), tenant.Currency, status);
            journey.Activities(status);

            var fields = new string?[OpportunityCsv.FieldCount];
            fields[(int)CsvField.Title] = account.Length == 0 ? product : $"{product} for {account}";
            fields[(int)CsvField.AccountName] = account;
            fields[(int)CsvField.Amount] = closeValue is "" or "0" ? prices[product] : closeValue;
            fields[(int)CsvField.Currency] = tenant.Currency;
            fields[(int)CsvField.Stage] = Stages[stage].Name;
            fields[(int)CsvField.Status] = status;
            fields[(int)CsvField.ExpectedDecisionDate] = decision is { } date ? OpportunityCsv.Format(date) : null;
            fields[(int)CsvField.CreatedAt] = OpportunityCsv.Format(createdAt);
            fields[(int)CsvField.ClosedAt] = closedAt is { } closed ? OpportunityCsv.Format(closed) : null;
            fields[(int)CsvField.LostReason] = status == "lost" ? LostReasons[row % LostReasons.Length] : null;
            fields[(int)CsvField.OwnerEmail] = tenant.OwnerOf(offices[agent]);
            fields[(int)CsvField.Source] = Sources[row % Sources.Length];
            fields[(int)CsvField.Segment] = sectors.GetValueOrDefault(account);
            fields[(int)CsvField.History] = JsonSerializer.Serialize(journey.Steps(), HistoryJson);
            foreach (var field in fields)
            {
                csv.WriteField(field);
            }

            csv.EndRecord();
        }
    }

    /// <summary>The steps of one deal's journey, gathered in any order and written in time order.</summary>
    private sealed class Journey(Random random, DateTimeOffset now, DateTimeOffset createdAt, DateTimeOffset? closedAt)
    {
        private readonly List<(DateTimeOffset At, int Order, HistoryStep Step)> _steps = [];

        /// <summary>When each stage was entered, in order (a stage entered twice after a step back appears twice).</summary>
        private readonly List<(int Stage, DateTimeOffset At)> _entries = [(0, createdAt)];

        /// <summary>Nothing may happen after this: the close, or for a stale deal the moment it went quiet.</summary>
        private DateTimeOffset _quietFrom = closedAt ?? now;

        private bool _stale;

        private DateTimeOffset End => closedAt ?? now;

        /// <summary>Moves from the first stage to <paramref name="stage"/>: some stages skipped, sometimes one step back.</summary>
        public void Walk(int stage, string status)
        {
            var path = new List<int> { 0 };
            for (var s = 1; s <= stage; s++)
            {
                if (s == stage || random.NextDouble() >= 0.12)
                {
                    path.Add(s);
                }
            }

            if (path.Count > 2 && random.NextDouble() < 0.1)
            {
                // Back to the stage before, then forward again (a buyer reopening the needs, say).
                var at = random.Next(1, path.Count - 1);
                path.InsertRange(at + 1, [path[at] - 1, path[at]]);
            }

            // The last move: well before the close; for an open deal within its stage's rotting days, or, for
            // about one open deal in six, long enough ago that it rots.
            var rotting = Stages[stage].RottingDays;
            _stale = status == "open" && random.NextDouble() < 0.16 && (now - createdAt).TotalDays > rotting + 10;
            var lastMove = closedAt is { } closed
                ? createdAt + (closed - createdAt) * (0.55 + random.NextDouble() * 0.4)
                : now - TimeSpan.FromDays(_stale ? rotting + 3 + random.Next(0, 40) : random.NextDouble() * (rotting - 2));
            lastMove = Later(lastMove, createdAt);
            if (_stale)
            {
                _quietFrom = lastMove;
            }

            var moves = path.Count - 1;
            var times = Enumerable.Range(0, moves).Select(_ => createdAt + (lastMove - createdAt) * random.NextDouble()).Order().ToList();
            if (moves > 0)
            {
                times[^1] = lastMove;
            }

            for (var i = 0; i < moves; i++)
            {
                var at = Later(times[i], _entries[^1].At);
                _entries.Add((path[i + 1], at));
                Add(at, 0, new HistoryStep(at, Stage: Stages[path[i + 1]].Name));
            }
        }

        /// <summary>For about one open deal in three, one to three earlier decision dates pushed to <paramref name="final"/>.</summary>
        public void PushDecisions(DateOnly final)
        {
            if (random.NextDouble() >= 0.33)
            {
                return;
            }

            var created = DateOnly.FromDateTime(createdAt.UtcDateTime);
            var pushes = random.Next(1, 4);
            var dates = new List<DateOnly> { final };
            for (var i = 0; i < pushes; i++)
            {
                var earlier = dates[0].AddDays(-random.Next(10, 40));
                if (earlier < created)
                {
                    break;
                }

                dates.Insert(0, earlier);
            }

            if (dates.Count == 1)
            {
                return;
            }

            Add(createdAt, 1, new HistoryStep(createdAt, DecisionDate: dates[0]));
            var times = dates.Skip(1).Select(_ => createdAt + (_quietFrom - createdAt) * random.NextDouble()).Order().ToList();
            for (var i = 0; i < times.Count; i++)
            {
                var at = Later(times[i], createdAt + TimeSpan.FromSeconds(1));
                Add(at, 1, new HistoryStep(at, DecisionDate: dates[i + 1]));
            }
        }

        /// <summary>A quote once the deal reached Proposal: accepted when won, often declined when lost, else awaiting an answer.</summary>
        public void Quote(decimal amount, string currency, string status)
        {
            var proposal = _entries.FirstOrDefault(e => e.Stage >= Proposal);
            if (proposal == default)
            {
                return;
            }

            var sentAt = Earlier(proposal.At + TimeSpan.FromHours(random.Next(2, 72)), _quietFrom);
            var validUntil = DateOnly.FromDateTime(sentAt.UtcDateTime).AddDays(30);
            var (answer, answeredAt) = status switch
            {
                "won" => ("accepted", (DateTimeOffset?)Between(sentAt, End)),
                "lost" when random.NextDouble() < 0.6 => ("declined", Between(sentAt, End)),
                "open" when proposal.Stage < 3 || random.NextDouble() < 0.6 => ((string?)null, (DateTimeOffset?)null),
                "open" => ("accepted", Between(sentAt, _quietFrom)),
                _ => (null, null),
            };
            Add(sentAt, 2, new HistoryStep(sentAt, Quote: new HistoryQuote(amount, currency, validUntil, answer, answeredAt,
                answer == "declined" ? "Over budget" : null)));
        }

        /// <summary>A call or meeting done at about half the stage entries; for open deals that are not rotting, what comes next.</summary>
        public void Activities(string status)
        {
            foreach (var (stage, entered) in _entries)
            {
                if (random.NextDouble() >= 0.5)
                {
                    continue;
                }

                var due = entered + TimeSpan.FromHours(random.Next(4, 72));
                if (due > _quietFrom)
                {
                    continue;
                }

                var type = random.NextDouble() < 0.6 ? "call" : "meeting";
                var subject = $"{Calls[random.Next(Calls.Length)]} ({Stages[stage].Name})";
                Add(entered, 3, new HistoryStep(entered, Activity: new HistoryActivity(type, subject, due, due)));
            }

            if (status != "open" || _stale)
            {
                return;
            }

            var scheduled = Between(Later(now - TimeSpan.FromDays(3), _entries[^1].At), now);
            if (random.NextDouble() < 0.75)
            {
                var due = now + TimeSpan.FromHours(random.Next(2, 14 * 24));
                Add(scheduled, 3, new HistoryStep(scheduled, Activity: new HistoryActivity("task", "Next step with the buyer", due)));
            }
            else if (random.NextDouble() < 0.4)
            {
                var due = Between(scheduled, now);
                Add(scheduled, 3, new HistoryStep(scheduled, Activity: new HistoryActivity("call", "Call back the buyer", due)));
            }
        }

        public IReadOnlyList<HistoryStep> Steps() => _steps.OrderBy(s => s.At).ThenBy(s => s.Order).Select(s => s.Step).ToList();

        private void Add(DateTimeOffset at, int order, HistoryStep step) => _steps.Add((at, order, step));

        private DateTimeOffset Between(DateTimeOffset from, DateTimeOffset to) =>
            to <= from ? from : from + (to - from) * random.NextDouble();
    }

    /// <summary>A moment of <paramref name="day"/> during office hours (UTC), never after <paramref name="now"/>.</summary>
    private static DateTimeOffset At(DateOnly day, Random random, DateTimeOffset now)
    {
        var moment = new DateTimeOffset(day.ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero) + TimeSpan.FromMinutes(random.Next(0, 600));
        return Earlier(moment, now - TimeSpan.FromMinutes(1));
    }

    private static List<string[]> Read(string folder, string file)
    {
        using var reader = CsvReader.FromFile(Path.Combine(folder, file), new CsvReaderOptions { HasHeader = true });
        var records = new List<string[]>();
        while (reader.Read())
        {
            records.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetString(i) ?? "").ToArray());
        }

        return records;
    }

    /// <summary>Rounded to the microsecond PostgreSQL keeps, so that a step and the instant it is compared with agree.</summary>
    private static DateTimeOffset Micro(DateTimeOffset moment) => new(moment.Ticks - moment.Ticks % TimeSpan.TicksPerMicrosecond, moment.Offset);

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => Micro(a > b ? a : b);

    private static DateTimeOffset Earlier(DateTimeOffset a, DateTimeOffset b) => Micro(a < b ? a : b);

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;
}
