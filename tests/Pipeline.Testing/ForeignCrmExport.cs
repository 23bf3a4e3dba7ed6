using System.Globalization;
using System.Text.Json;
using CsvHelper;

namespace Pipeline.Testing;

/// <summary>
/// The real foreign CRM export (8,800 deals, <c>services/Opportunity/DemoData/crm-sales-opportunities</c>) as a
/// customer migrating from it would read it, and the import options its README suggests: account → accountName
/// (sector → segment), product → title, sales agent → a demo rep by regional office, deal stage → status and stage,
/// engage and close dates → createdAt and closedAt, close value (or the product's price) → amount, in USD.
/// </summary>
public sealed class ForeignCrmExport
{
    private static readonly Dictionary<string, string> RepByOffice = new()
    {
        ["Central"] = DemoUsers.Alice, ["East"] = DemoUsers.Bob, ["West"] = DemoUsers.Carol,
    };

    private ForeignCrmExport(string folder)
    {
        Folder = folder;
        Sectors = Read("accounts.csv").ToDictionary(a => a[0], a => a[1] == "technolgy" ? "technology" : a[1]);
        Prices = Read("products.csv").ToDictionary(p => p[0], p => p[2]);
        Prices["GTXPro"] = Prices["GTX Pro"]; // the pipeline's spelling of the product list's "GTX Pro"
        Owners = Read("sales_teams.csv").ToDictionary(t => t[0], t => RepByOffice[t[2]]);
        Deals = Read("sales_pipeline.csv").Select(d => new Deal(d[1], d[2], d[3], d[4], Day(d[5]), Day(d[6]), d[7])).ToList();
    }

    /// <summary>The export as the service's build output carries it (the test projects copy it beside their assemblies).</summary>
    public static ForeignCrmExport Load() => new(Path.Combine(AppContext.BaseDirectory, "DemoData", "crm-sales-opportunities"));

    public string Folder { get; }

    /// <summary>Account → sector, with the export's one misspelt sector put right.</summary>
    public Dictionary<string, string> Sectors { get; }

    /// <summary>Product → list price in USD.</summary>
    public Dictionary<string, string> Prices { get; }

    /// <summary>Sales agent → the demo rep (e-mail) who takes over their deals.</summary>
    public Dictionary<string, string> Owners { get; }

    public IReadOnlyList<Deal> Deals { get; }

    public byte[] PipelineFile => File.ReadAllBytes(Path.Combine(Folder, "sales_pipeline.csv"));

    /// <summary>A deal as the export has it: open ones have no close date, lost ones a close value of 0.</summary>
    public sealed record Deal(string Agent, string Product, string Account, string DealStage, DateTimeOffset? EngagedAt, DateTimeOffset? ClosedAt, string CloseValue)
    {
        public string Status => DealStage switch { "Won" => "won", "Lost" => "lost", _ => "open" };
    }

    /// <summary>The amount a deal is imported with: its close value, else its product's list price.</summary>
    public decimal Amount(Deal deal) => decimal.Parse(deal.CloseValue is "" or "0" ? Prices[deal.Product] : deal.CloseValue, CultureInfo.InvariantCulture);

    /// <summary>The import options for the export's <c>sales_pipeline.csv</c>, each deal tagged with <paramref name="source"/>.</summary>
    public string ImportOptions(string source) => JsonSerializer.Serialize(new
    {
        columns = new Dictionary<string, object>
        {
            ["account"] = new[] { "accountName", "segment" }, ["product"] = "title", ["sales_agent"] = "ownerEmail",
            ["deal_stage"] = new[] { "status", "stage" }, ["engage_date"] = "createdAt", ["close_date"] = "closedAt", ["close_value"] = "amount",
        },
        values = new
        {
            segment = Sectors,
            ownerEmail = Owners,
            status = new Dictionary<string, string> { ["Won"] = "won", ["Lost"] = "lost", ["Prospecting"] = "open", ["Engaging"] = "open" },
            stage = new Dictionary<string, string> { ["Prospecting"] = "Qualification", ["Engaging"] = "Discovery meeting", ["Won"] = "Decision", ["Lost"] = "Decision" },
        },
        fill = new { amount = new { fromColumn = "product", values = Prices } },
        dateFormat = "dd-MM-yy",
        defaults = new { currency = "USD", lostReason = "Lost before the migration", source },
    });

    /// <summary>The export's dates: <c>dd-mm-yy</c>, midnight UTC.</summary>
    public static DateTimeOffset? Day(string text) => text.Length == 0
        ? null
        : new DateTimeOffset(DateTime.ParseExact(text, "dd-MM-yy", CultureInfo.InvariantCulture), TimeSpan.Zero);

    private List<string[]> Read(string file)
    {
        using var reader = CsvReader.FromFile(Path.Combine(Folder, file), new CsvReaderOptions { HasHeader = true });
        var records = new List<string[]>();
        while (reader.Read())
        {
            records.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetString(i) ?? "").ToArray());
        }

        return records;
    }
}
