namespace Pipeline.Reporting.Infrastructure.Queries;

/// <summary>Which rollup rows of a month a part reads, with respect to the months read day by day.</summary>
public enum DailyMonths
{
    /// <summary>Whatever the month.</summary>
    Any,

    /// <summary>Only rows outside the months read day by day.</summary>
    Excluded,

    /// <summary>Only rows inside them.</summary>
    Only,
}

/// <summary>
/// Rows of one grain (<c>d</c> daily, <c>m</c> monthly, whose day is the month's first) with a day in
/// [<see cref="From"/>, <see cref="To"/>), counted with <see cref="Sign"/>.
/// </summary>
public sealed record RollupPart(char Grain, DateOnly From, DateOnly To, int Sign, DailyMonths Months = DailyMonths.Any);

/// <summary>
/// Which rows of <c>deal_rollups</c> cover the days [<paramref name="From"/>, <paramref name="To"/>) (a null start:
/// since the beginning), and with which sign. Whole months come from the monthly rows; a partial month at either
/// end from its daily rows, or, when that reads fewer days, from its monthly row minus the daily rows outside the
/// period (the end of a period running to today is a month minus the days still to come, which hold next to
/// nothing). A month in which an exchange rate changes (<paramref name="DailyMonths"/>) is read day by day, so
/// amounts convert at their day's rate.
/// </summary>
public sealed record RollupPeriod(DateOnly? From, DateOnly To, IReadOnlyCollection<DateOnly> DailyMonths)
{
    /// <summary>The parts that, summed with their signs, count every day of the period once and no other.</summary>
    public IReadOnlyList<RollupPart> Parts()
    {
        var from = From ?? DateOnly.MinValue;
        var parts = new List<RollupPart>();
        if (from >= To)
        {
            return parts;
        }

        var split = DailyMonths.ToHashSet();
        var wholeFrom = from.Day == 1 ? from : Month(from).AddMonths(1);
        var wholeTo = Month(To);
        if (wholeFrom < wholeTo)
        {
            parts.Add(new RollupPart('m', wholeFrom, wholeTo, 1, Queries.DailyMonths.Excluded));
        }

        if (split.Count > 0)
        {
            parts.Add(new RollupPart('d', from, To, 1, Queries.DailyMonths.Only));
        }

        if (Month(from) == Month(To))
        {
            if (!split.Contains(Month(from)))
            {
                PartialMonth(parts, Month(from), from, To);
            }

            return parts;
        }

        if (from.Day != 1 && !split.Contains(Month(from)))
        {
            PartialMonth(parts, Month(from), from, Month(from).AddMonths(1));
        }

        if (To.Day != 1 && !split.Contains(Month(To)))
        {
            PartialMonth(parts, Month(To), Month(To), To);
        }

        return parts;
    }

    /// <summary>The days [start, end) of the month beginning on <paramref name="month"/>, from whichever reads fewer daily rows.</summary>
    private static void PartialMonth(List<RollupPart> parts, DateOnly month, DateOnly start, DateOnly end)
    {
        var next = month.AddMonths(1);
        var inside = end.DayNumber - start.DayNumber;
        var outside = next.DayNumber - month.DayNumber - inside;
        if (inside <= outside)
        {
            parts.Add(new RollupPart('d', start, end, 1));
            return;
        }

        parts.Add(new RollupPart('m', month, next, 1));
        parts.Add(new RollupPart('d', month, start, -1));
        parts.Add(new RollupPart('d', end, next, -1));
    }

    private static DateOnly Month(DateOnly day) => new(day.Year, day.Month, 1);
}
