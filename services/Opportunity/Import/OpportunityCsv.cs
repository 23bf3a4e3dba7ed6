using System.Globalization;

namespace Pipeline.Opportunity.Import;

/// <summary>
/// The columns of the native CSV format (SPEC §5): what export writes and import reads without a mapping; and
/// <see cref="History"/>, which import also reads: the deal's journey before the migration (<see cref="ImportHistory"/>).
/// </summary>
public enum CsvField
{
    Title, AccountName, ContactName, ContactEmail, Amount, Currency, Pipeline, Stage, Status, ExpectedDecisionDate,
    CreatedAt, ClosedAt, LostReason, OwnerEmail, Source, Segment, History,
}

public static class OpportunityCsv
{
    /// <summary>The native header, in <see cref="CsvField"/> order: the opportunity's JSON names.</summary>
    public static readonly string[] Header =
    [
        "title", "accountName", "contactName", "contactEmail", "amount", "currency", "pipeline", "stage", "status",
        "expectedDecisionDate", "createdAt", "closedAt", "lostReason", "ownerEmail", "source", "segment",
    ];

    /// <summary>Every field import reads, in <see cref="CsvField"/> order: the header and <c>history</c>.</summary>
    public static readonly string[] Fields = [.. Header, "history"];

    public static readonly int FieldCount = Fields.Length;

    public const string DateFormat = "yyyy-MM-dd";

    /// <summary>ISO 8601 in UTC, down to the microsecond PostgreSQL keeps, so an export re-imports to the same instant.</summary>
    public const string MomentFormat = "yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'";

    public static string NameOf(CsvField field) => Fields[(int)field];

    /// <summary>A field by its native name, ignoring case (admins type them by hand in mappings).</summary>
    public static bool TryParse(string? name, out CsvField field)
    {
        var index = Array.FindIndex(Fields, h => string.Equals(h, name?.Trim(), StringComparison.OrdinalIgnoreCase));
        field = (CsvField)Math.Max(index, 0);
        return index >= 0;
    }

    public static string Format(DateTimeOffset moment) => moment.UtcDateTime.ToString(MomentFormat, CultureInfo.InvariantCulture);

    public static string Format(DateOnly date) => date.ToString(DateFormat, CultureInfo.InvariantCulture);

    public static string Format(decimal amount) => amount.ToString("0.##", CultureInfo.InvariantCulture);
}
