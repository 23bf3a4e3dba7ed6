namespace Pipeline.Reporting.Domain;

/// <summary>The KPI formulas of SPEC §6. Rates are fractions (0.15 = 15 %).</summary>
public static class Kpis
{
    /// <summary>
    /// Pipeline conversion rate (won ÷ the cohort created in the period), win rate (won ÷ won and lost in the
    /// period), stage conversion and drop-off (advanced or lost ÷ entered): 0 when nothing is behind it.
    /// </summary>
    public static double Ratio(long part, long whole) => whole == 0 ? 0 : Math.Round((double)part / whole, 6);

    /// <summary>An average in days (sales cycle, time in stage): 0 over nothing.</summary>
    public static double AverageDays(long totalDays, long count) => count == 0 ? 0 : Math.Round((double)totalDays / count, 4);

    /// <summary>Sales velocity per day = open deals × win rate × average won amount ÷ average sales cycle (0 without a cycle).</summary>
    public static double SalesVelocityPerDay(long openDeals, double winRate, decimal wonAmount, long wonDeals, long cycleDays)
    {
        if (wonDeals == 0 || cycleDays <= 0)
        {
            return 0;
        }

        var averageWon = (double)wonAmount / wonDeals;
        var averageCycle = (double)cycleDays / wonDeals;
        return Math.Round(openDeals * winRate * averageWon / averageCycle, 4);
    }

    /// <summary>
    /// Days in a stage in all, for the deals that entered it: the days of those out of it, plus, for those still
    /// in it, today − the day since which they are there: Σ (today − since) = n × today − Σ since.
    /// </summary>
    public static long DaysInStage(StageFigures stage, DateOnly today) =>
        stage.DaysOut + stage.StillIn * (today.DayNumber - UnixEpochDay) - stage.StillInSince;

    /// <summary>The median of a histogram; the mean of the two middle values for an even count; 0 when empty.</summary>
    public static double Median(DaysHistogram histogram)
    {
        var total = histogram.Counts.Sum(h => h.Count);
        if (total == 0)
        {
            return 0;
        }

        int ValueAt(long index)
        {
            foreach (var (days, count) in histogram.Counts)
            {
                if (index < count)
                {
                    return days;
                }

                index -= count;
            }

            throw new InvalidOperationException("Index past the histogram.");
        }

        return (ValueAt((total - 1) / 2) + ValueAt(total / 2)) / 2.0;
    }

    /// <summary>
    /// How many won deals took how long (<paramref name="cycles"/>: the days of the median), in fixed buckets of days,
    /// both ends included: 0–7, 8–14, 15–30, 31–60, 61–90, 91–180, 181–365, and 366 or more.
    /// </summary>
    public static IReadOnlyList<CycleBucket> CycleDistribution(DaysHistogram cycles)
    {
        // Fixed buckets, every one present even when empty: a chart keeps its bars in their places from one period,
        // team or owner to the next, so they compare bar by bar. Weeks, then months, then quarters: most deals close
        // within weeks, a few take a year. A deal counts in the first bucket reaching its days, so the buckets sum
        // to the won deals whatever their days (a cycle is never negative: a deal closes after it was created).
        var deals = new long[CycleBucketEnds.Length + 1];
        foreach (var (days, count) in cycles.Counts)
        {
            var bucket = Array.FindIndex(CycleBucketEnds, end => days <= end);
            deals[bucket < 0 ? CycleBucketEnds.Length : bucket] += count;
        }

        return deals.Select((count, i) => new CycleBucket(
            i == 0 ? 0 : CycleBucketEnds[i - 1] + 1, i < CycleBucketEnds.Length ? CycleBucketEnds[i] : null, (int)count)).ToList();
    }

    public static decimal Round(decimal amount) => Math.Round(amount, 2);

    /// <summary>The last day of each bucket of <see cref="CycleDistribution"/> but the last, which is open-ended.</summary>
    private static readonly int[] CycleBucketEnds = [7, 14, 30, 60, 90, 180, 365];

    private static readonly int UnixEpochDay = new DateOnly(1970, 1, 1).DayNumber;
}
