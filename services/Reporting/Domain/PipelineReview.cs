using System.Globalization;
using Pipeline.Messaging.Organizations;

namespace Pipeline.Reporting.Domain;

/// <summary>What the pipeline review (<c>GET /api/reports/changes</c>) calls each change of a deal.</summary>
public static class ChangeKind
{
    public const string Created = "created";

    /// <summary>To a stage later in the pipeline's current order.</summary>
    public const string MovedForward = "movedForward";

    public const string MovedBackward = "movedBackward";

    /// <summary>
    /// A stage move whose direction the pipeline's current order cannot tell: to another pipeline, between stages the
    /// reports do not know (yet), or between stages now at the same place. Stored for every move, classified when read.
    /// </summary>
    public const string Moved = "moved";

    public const string Won = "won";

    public const string Lost = "lost";

    public const string Reopened = "reopened";

    public const string AmountUp = "amountUp";

    public const string AmountDown = "amountDown";

    /// <summary>Amounts in two currencies are not up or down: the change says both, and moves the open pipeline as converted.</summary>
    public const string CurrencyChanged = "currencyChanged";

    /// <summary>A probability set on the deal itself (a stage move brings its stage's): it moves the weighted pipeline.</summary>
    public const string ProbabilityChanged = "probabilityChanged";

    /// <summary>The expected decision date moved later.</summary>
    public const string Pushed = "pushed";

    public const string Pulled = "pulled";
}

/// <summary>A stage as its pipeline now names and orders it.</summary>
public sealed record StagePlace(Guid PipelineId, string Name, int Order);

/// <summary>How many changes of one stored kind (between two stages, for moves) a window holds.</summary>
public sealed record ChangeCount(string Kind, Guid? FromStageId, Guid? ToStageId, long Count);

/// <summary>
/// The amounts some of a window's changes moved, in one currency, converted at the rate of <paramref name="Day"/>:
/// amounts raised and lowered, and what they moved the open and weighted pipeline by.
/// </summary>
public sealed record ChangeAmounts(string Currency, DateOnly Day, decimal Up, decimal Down, decimal Open, decimal Weighted);

/// <summary>
/// The window's totals: how many changes of each kind (a deal moved twice counts twice), and the amounts in the
/// organisation's currency (null when there were amounts and none converted; see <see cref="ReviewedChanges.IncompleteFigures"/>).
/// <see cref="AmountDown"/> is negative or zero.
/// </summary>
public sealed record ChangeTotals(
    int Created, int Won, int Lost, int Reopened, int MovedForward, int MovedBackward, int Pushed, int Pulled,
    decimal? AmountUp, decimal? AmountDown, decimal? OpenAmountDelta, decimal? WeightedAmountDelta);

/// <summary>The totals, and which of their amounts leave out some of the window's amounts for want of a rate.</summary>
public sealed record ReviewedChanges(ChangeTotals Totals, IReadOnlyList<string> IncompleteFigures);

/// <summary>
/// The pipeline review's rules, pure: which way a stage move went in the pipeline's current order, what a change's
/// stages are called now, and the window's totals.
/// </summary>
public static class PipelineReview
{
    /// <summary>
    /// <see cref="ChangeKind.MovedForward"/> or <see cref="ChangeKind.MovedBackward"/> for a move between two stages of
    /// one pipeline at different places in its current order; else <see cref="ChangeKind.Moved"/>.
    /// </summary>
    public static string Direction(Guid? from, Guid? to, IReadOnlyDictionary<Guid, StagePlace> stages) =>
        from is { } f && to is { } t && stages.TryGetValue(f, out var source) && stages.TryGetValue(t, out var target)
        && source.PipelineId == target.PipelineId && source.Order != target.Order
            ? target.Order > source.Order ? ChangeKind.MovedForward : ChangeKind.MovedBackward
            : ChangeKind.Moved;

    /// <summary>The kind a stored change is shown as: moves get their direction.</summary>
    public static string Kind(string stored, Guid? from, Guid? to, IReadOnlyDictionary<Guid, StagePlace> stages) =>
        stored == ChangeKind.Moved ? Direction(from, to, stages) : stored;

    /// <summary>A stage's current name, or what the event called it (a stage the reports do not know), or <paramref name="stored"/> when no stage.</summary>
    public static string? Name(Guid? stage, string? stored, IReadOnlyDictionary<Guid, StagePlace> stages) =>
        stage is { } id && stages.TryGetValue(id, out var place) ? place.Name : stored;

    public static ReviewedChanges Total(
        IEnumerable<ChangeCount> counts, IEnumerable<ChangeAmounts> amounts, IReadOnlyDictionary<Guid, StagePlace> stages, ReportCurrency money)
    {
        var byKind = counts
            .GroupBy(c => Kind(c.Kind, c.FromStageId, c.ToStageId, stages))
            .ToDictionary(g => g.Key, g => (int)g.Sum(c => c.Count));
        int Of(string kind) => byKind.GetValueOrDefault(kind);

        ConvertedTotal up = new(), down = new(), open = new(), weighted = new();
        // Net per currency and day first: what cancels out within a day was never left out.
        var net = amounts.GroupBy(a => (a.Currency, a.Day)).Select(g => new ChangeAmounts(
            g.Key.Currency, g.Key.Day, g.Sum(a => a.Up), g.Sum(a => a.Down), g.Sum(a => a.Open), g.Sum(a => a.Weighted)));
        foreach (var day in net)
        {
            up.Add(money.Convert(day.Up, day.Currency, day.Day, AmountFigure.AmountUp));
            down.Add(money.Convert(day.Down, day.Currency, day.Day, AmountFigure.AmountDown));
            open.Add(money.Convert(day.Open, day.Currency, day.Day, AmountFigure.OpenAmountDelta));
            weighted.Add(money.Convert(day.Weighted, day.Currency, day.Day, AmountFigure.WeightedAmountDelta));
        }

        var totals = new ChangeTotals(
            Of(ChangeKind.Created), Of(ChangeKind.Won), Of(ChangeKind.Lost), Of(ChangeKind.Reopened), Of(ChangeKind.MovedForward),
            Of(ChangeKind.MovedBackward), Of(ChangeKind.Pushed), Of(ChangeKind.Pulled), up.Value, down.Value, open.Value, weighted.Value);
        var incomplete = new[] { ("amountUp", up), ("amountDown", down), ("openAmountDelta", open), ("weightedAmountDelta", weighted) }
            .Where(f => f.Item2.Incomplete).Select(f => f.Item1).ToList();
        return new ReviewedChanges(totals, incomplete);
    }
}

/// <summary>
/// A bound of the review's window as asked: an instant with its offset (<c>2026-12-04T09:00:00Z</c>), or a day
/// (<c>2026-12-04</c>), which starts at the organisation's midnight. A time without an offset is refused: whose
/// clock it is read on would be a guess.
/// </summary>
public sealed record WindowBound(DateTimeOffset? Instant, DateOnly? Day)
{
    public static WindowBound? Parse(string text)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return day.Year is >= 1900 and <= 2200 ? new WindowBound(null, day) : null;
        }

        return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time) && time.Kind != DateTimeKind.Unspecified
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant) && instant.Year is >= 1900 and <= 2200
                ? new WindowBound(instant.ToUniversalTime(), null)
                : null;
    }

    public DateTimeOffset In(OrganizationCalendar calendar) => Instant ?? calendar.StartOf(Day!.Value);
}

/// <summary>A stretch of the window from <see cref="Start"/>, whose amounts convert at the rates of <see cref="Day"/>.</summary>
public sealed record RateStretch(DateTimeOffset Start, DateOnly Day);

/// <summary>The instants the review covers, [since, until).</summary>
public static class ReviewWindow
{
    public static readonly TimeSpan DefaultSpan = TimeSpan.FromDays(7);

    /// <summary>As asked; by default until now, and since a week before until.</summary>
    public static ReportPeriod Of(WindowBound? since, WindowBound? until, DateTimeOffset now, OrganizationCalendar calendar)
    {
        var end = until?.In(calendar) ?? now;
        var start = since?.In(calendar) ?? end - DefaultSpan;
        return new ReportPeriod(calendar.DayOf(start), calendar.DayOf(end), start, end);
    }

    /// <summary>
    /// The window cut where a rate takes effect (the organisation's midnight of <paramref name="rateChangeDays"/>):
    /// within each stretch every amount converts at the same rates, those of its first day. Usually one stretch, so the
    /// amounts are summed per currency only.
    /// </summary>
    public static IReadOnlyList<RateStretch> RateStretches(ReportPeriod window, IEnumerable<DateOnly> rateChangeDays, OrganizationCalendar calendar) =>
        rateChangeDays.Select(calendar.StartOf).Where(start => start > window.From && start < window.To).Distinct().Order()
            .Prepend(window.From).Select(start => new RateStretch(start, calendar.DayOf(start))).ToList();

    /// <summary>Why the window cannot be reviewed (which field, what is wrong), if it cannot.</summary>
    public static (string Field, string Message)? Problem(ReportPeriod window) =>
        window.From > window.To ? ("since", "since is at or before until.")
        : window.To > window.From.AddYears(1) ? ("since", "At most a year between since and until.")
        : null;
}
