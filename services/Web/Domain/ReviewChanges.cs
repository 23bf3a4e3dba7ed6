using System.Globalization;

namespace Pipeline.Web.Domain;

/// <summary>
/// The pipeline review's changes (<c>GET /api/reports/changes</c>) in the user's words: a short badge ("pushed",
/// "new", "won") and a sentence ("Decision date pushed from 31 Jan to 28 Feb"). The API writes its values invariantly:
/// days as <c>2027-01-31</c>, amounts as <c>12000.5</c> (a change of currency as <c>12000 USD</c>), probabilities as
/// <c>40</c>, stages by name.
/// </summary>
public static class ReviewChanges
{
    /// <summary>Kinds, as the API names them, in the order a sales meeting goes through them.</summary>
    public static readonly string[] Kinds =
        ["created", "won", "lost", "reopened", "movedForward", "movedBackward", "moved", "pushed", "pulled", "amountUp", "amountDown", "currencyChanged", "probabilityChanged"];

    public static string Badge(string kind) => Kinds.Contains(kind) ? Texts.Get("Review.Badge." + kind) : kind;

    public static string Sentence(string kind, string? from, string? to, string? currency, CultureInfo culture, DateOnly today) => kind switch
    {
        "created" or "reopened" => Texts.Get("Review.Change." + kind, to ?? "—"),
        "won" => Texts.Get("Review.Change.won"),
        "lost" => string.IsNullOrEmpty(to) ? Texts.Get("Review.Change.lost") : Texts.Get("Review.Change.lostBecause", to),
        "movedForward" or "movedBackward" or "moved" => Texts.Get("Review.Change." + kind, from ?? "—", to ?? "—"),
        "pushed" or "pulled" => Texts.Get("Review.Change." + kind, Day(from, culture, today), Day(to, culture, today)),
        "amountUp" or "amountDown" => Texts.Get("Review.Change." + kind, Amount(from, currency, culture), Amount(to, currency, culture)),
        "currencyChanged" => Texts.Get("Review.Change.currencyChanged", Amount(from, null, culture), Amount(to, null, culture)),
        "probabilityChanged" => Texts.Get("Review.Change.probabilityChanged", Percent(from, culture), Percent(to, culture)),
        _ => $"{kind}: {from} → {to}",
    };

    /// <summary>"31 Jan" this year, "31 Jan 2028" another.</summary>
    private static string Day(string? value, CultureInfo culture, DateOnly today) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day.ToString(day.Year == today.Year ? "d MMM" : "d MMM yyyy", culture)
            : value ?? "—";

    /// <summary>An amount with the change's currency, or with its own (<c>12000 USD</c>) when the change is of currency.</summary>
    private static string Amount(string? value, string? currency, CultureInfo culture)
    {
        var parts = (value ?? "").Split(' ', 2);
        var code = parts.Length == 2 ? parts[1] : currency;
        return decimal.TryParse(parts[0], NumberStyles.Number, CultureInfo.InvariantCulture, out var amount) && code is not null
            ? Formats.Money(amount, code, culture)
            : value ?? "—";
    }

    private static string Percent(string? value, CultureInfo culture) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var percent) ? Formats.Percent(percent, culture) : value ?? "—";
}
