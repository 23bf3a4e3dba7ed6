using System.Globalization;
using CsvHelper;
using Pipeline.Opportunity.Import;
using CsvField = Pipeline.Opportunity.Import.CsvField;

namespace Pipeline.Opportunity.DemoData;

/// <summary>
/// Acme's demo deals (SPEC §2), made from the foreign CRM export shipped beside the service in
/// <c>DemoData/crm-sales-opportunities</c>: 8,800 deals of a hardware seller from October 2016 to December 2017,
/// mapped onto the demo reps as its README suggests, and moved in time so that the last deal closed today. Open
/// deals get decision dates from six weeks overdue to four months ahead, so the board, the forecast of the coming
/// months and every report have something to show the moment a newcomer opens them. The result is a native CSV
/// file, imported like any customer's.
/// </summary>
public static class DemoDeals
{
    public const string Folder = "DemoData/crm-sales-opportunities";

    public const string Currency = "EUR";

    /// <summary>The export's regional offices, each given to the demo rep of a team (alice and bob: East, carol: West).</summary>
    private static readonly Dictionary<string, string> OwnerByOffice = new()
    {
        ["Central"] = "alice@acme.test", ["East"] = "bob@acme.test", ["West"] = "carol@acme.test",
    };

    public static IReadOnlyCollection<string> OwnerEmails => OwnerByOffice.Values;

    // The export names neither stages beyond "Engaging" nor lost reasons nor sources: they are spread evenly, by row.
    private static readonly string[] EngagedStages = ["Discovery meeting", "Proposal", "Negotiation & follow-up", "Decision"];
    private static readonly string[] LostInStages = ["Qualification", "Discovery meeting", "Proposal", "Negotiation & follow-up", "Decision"];
    private static readonly string[] LostReasons = ["Price", "Competitor", "No budget", "Timing", "No decision"];
    private static readonly string[] Sources = ["Inbound", "Outbound", "Referral", "Partner", "Event"];

    /// <summary>Writes the demo deals as a native CSV file, dated relative to <paramref name="today"/>.</summary>
    public static void WriteNativeCsv(string folder, DateOnly today, string path)
    {
        var sectors = Read(folder, "accounts.csv").ToDictionary(a => a[0], a => a[1] == "technolgy" ? "technology" : a[1]);
        var prices = Read(folder, "products.csv").ToDictionary(p => p[0], p => p[2]);
        prices.TryAdd("GTXPro", prices["GTX Pro"]);
        var owners = Read(folder, "sales_teams.csv").ToDictionary(t => t[0], t => OwnerByOffice[t[2]]);
        var deals = Read(folder, "sales_pipeline.csv");

        static DateOnly? Day(string text) => text.Length == 0 ? null : DateOnly.ParseExact(text, "dd-MM-yy", CultureInfo.InvariantCulture);
        var shift = today.DayNumber - deals.Max(d => Day(d[6]) ?? Day(d[5]) ?? DateOnly.MinValue).DayNumber;
        DateOnly? Shifted(string text) => Day(text) is { } day ? Min(day.AddDays(shift), today) : null;

        using var file = File.Create(path);
        using var csv = CsvWriter.Create(file);
        csv.WriteHeader(OpportunityCsv.Header);
        for (var row = 0; row < deals.Count; row++)
        {
            var (agent, product, account, dealStage, closeValue) = (deals[row][1], deals[row][2], deals[row][3], deals[row][4], deals[row][7]);
            var createdAt = Shifted(deals[row][5]);
            var (status, stage) = dealStage switch
            {
                "Won" => ("won", "Decision"),
                "Lost" => ("lost", LostInStages[row % LostInStages.Length]),
                "Engaging" => ("open", EngagedStages[row % EngagedStages.Length]),
                _ => ("open", "Qualification"),
            };
            DateOnly? decision = status == "open" ? Max(today.AddDays(row * 37 % 180 - 45), createdAt ?? today) : null;

            var fields = new string?[OpportunityCsv.FieldCount];
            fields[(int)CsvField.Title] = account.Length == 0 ? product : $"{product} for {account}";
            fields[(int)CsvField.AccountName] = account;
            fields[(int)CsvField.Amount] = closeValue is "" or "0" ? prices[product] : closeValue;
            fields[(int)CsvField.Currency] = Currency;
            fields[(int)CsvField.Stage] = stage;
            fields[(int)CsvField.Status] = status;
            fields[(int)CsvField.ExpectedDecisionDate] = decision is { } date ? OpportunityCsv.Format(date) : null;
            fields[(int)CsvField.CreatedAt] = createdAt is { } created ? OpportunityCsv.Format(created) : null;
            fields[(int)CsvField.ClosedAt] = status == "open" ? null : Shifted(deals[row][6]) is { } closed ? OpportunityCsv.Format(closed) : null;
            fields[(int)CsvField.LostReason] = status == "lost" ? LostReasons[row % LostReasons.Length] : null;
            fields[(int)CsvField.OwnerEmail] = owners[agent];
            fields[(int)CsvField.Source] = Sources[row % Sources.Length];
            fields[(int)CsvField.Segment] = sectors.GetValueOrDefault(account);
            foreach (var field in fields)
            {
                csv.WriteField(field);
            }

            csv.EndRecord();
        }
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

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;
}
