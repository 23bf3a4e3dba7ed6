using Pipeline.Reporting.Domain;

namespace Pipeline.Reporting.UnitTests;

/// <summary>The KPI formulas of SPEC §6.</summary>
public sealed class KpiTests
{
    [Fact]
    public void Conversion_and_win_rates_are_fractions_and_zero_over_nothing()
    {
        Assert.Equal(0.333333, Kpis.Ratio(3, 9));          // 3 won of a cohort of 9
        Assert.Equal(0.571429, Kpis.Ratio(4, 4 + 3));      // 4 won, 3 lost
        Assert.Equal(0, Kpis.Ratio(0, 0));
    }

    [Fact]
    public void The_average_sales_cycle_is_the_days_of_the_won_deals_over_their_count()
    {
        Assert.Equal(82.75, Kpis.AverageDays(60 + 60 + 121 + 90, 4));
        Assert.Equal(0, Kpis.AverageDays(0, 0));
    }

    [Fact]
    public void A_median_is_the_middle_value_or_the_mean_of_the_two_middle_ones()
    {
        Assert.Equal(75, Kpis.Median(new DaysHistogram([(60, 2), (90, 1), (121, 1)])));   // 60 60 | 90 121
        Assert.Equal(60, Kpis.Median(new DaysHistogram([(60, 2), (121, 1)])));
        Assert.Equal(10, Kpis.Median(new DaysHistogram([(4, 1), (9, 1), (10, 5), (40, 2)])));
        Assert.Equal(0, Kpis.Median(new DaysHistogram([])));
    }

    [Fact]
    public void The_distribution_of_sales_cycles_has_every_bucket_with_both_ends_included_and_sums_to_the_won_deals()
    {
        // 7 and 8, 14 and 15, 365 and 366 days: each side of a bucket's edge; nothing between 31 and 180 days.
        var cycles = new DaysHistogram([(0, 1), (7, 2), (8, 1), (14, 1), (15, 3), (30, 1), (181, 1), (365, 2), (366, 1), (1_000, 4)]);

        var distribution = Kpis.CycleDistribution(cycles);

        Assert.Equal(
            [new CycleBucket(0, 7, 3), new CycleBucket(8, 14, 2), new CycleBucket(15, 30, 4), new CycleBucket(31, 60, 0), new CycleBucket(61, 90, 0),
             new CycleBucket(91, 180, 0), new CycleBucket(181, 365, 3), new CycleBucket(366, null, 5)],
            distribution);
        Assert.Equal(cycles.Counts.Sum(c => c.Count), distribution.Sum(b => b.Deals));
    }

    [Fact]
    public void Without_won_deals_the_distribution_still_has_its_eight_buckets()
    {
        var distribution = Kpis.CycleDistribution(new DaysHistogram([]));

        Assert.Equal([(0, 7), (8, 14), (15, 30), (31, 60), (61, 90), (91, 180), (181, 365), (366, (int?)null)], distribution.Select(b => (b.FromDays, b.ToDays)));
        Assert.All(distribution, b => Assert.Equal(0, b.Deals));
    }

    [Fact]
    public void Sales_velocity_is_open_deals_times_win_rate_times_average_won_amount_over_average_cycle()
    {
        var winRate = Kpis.Ratio(4, 7);
        Assert.Equal(Math.Round(3 * winRate * 10_625 / 82.75, 4), Kpis.SalesVelocityPerDay(3, winRate, 42_500, 4, 331));
        Assert.Equal(0, Kpis.SalesVelocityPerDay(3, 0, 0, 0, 0));
    }

    [Fact]
    public void Days_in_a_stage_count_those_still_there_up_to_today()
    {
        var today = new DateOnly(2026, 12, 4);
        var since = new DateOnly(2026, 11, 24).DayNumber - new DateOnly(1970, 1, 1).DayNumber;
        // Two deals left the stage after 10 and 14 days; one is there since 24 November: 10 more days.
        var stage = new StageFigures(Guid.NewGuid(), "Proposal", 3, Entered: 3, Advanced: 2, Lost: 0, DaysOut: 24, StillIn: 1, StillInSince: since);
        Assert.Equal(34, Kpis.DaysInStage(stage, today));
    }
}
