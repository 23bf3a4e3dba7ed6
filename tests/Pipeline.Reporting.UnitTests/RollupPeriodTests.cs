using Pipeline.Reporting.Infrastructure.Queries;

namespace Pipeline.Reporting.UnitTests;

/// <summary>The rollup rows a report reads for a period count each of its days once, and no other day.</summary>
public sealed class RollupPeriodTests
{
    [Fact]
    public void Whole_months_come_from_monthly_rows_and_a_mostly_full_month_from_its_row_minus_the_days_outside()
    {
        var parts = new RollupPeriod(new DateOnly(2026, 1, 1), new DateOnly(2026, 3, 29), []).Parts();

        Assert.Equal(
        [
            new RollupPart('m', new(2026, 1, 1), new(2026, 3, 1), 1, DailyMonths.Excluded),
            new RollupPart('m', new(2026, 3, 1), new(2026, 4, 1), 1),
            new RollupPart('d', new(2026, 3, 1), new(2026, 3, 1), -1),
            new RollupPart('d', new(2026, 3, 29), new(2026, 4, 1), -1),
        ], parts);
    }

    [Fact]
    public void A_few_days_of_a_month_come_from_its_daily_rows()
    {
        Assert.Equal([new RollupPart('d', new(2026, 2, 10), new(2026, 2, 14), 1)], new RollupPeriod(new(2026, 2, 10), new(2026, 2, 14), []).Parts());
    }

    [Fact]
    public void An_empty_period_reads_nothing()
    {
        Assert.Empty(new RollupPeriod(new(2026, 2, 10), new(2026, 2, 10), []).Parts());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Any_period_with_any_months_read_day_by_day_counts_each_of_its_days_once(int seed)
    {
        var random = new Random(seed);
        var first = new DateOnly(2025, 1, 1);
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var from = first.AddDays(random.Next(0, 500));
            var to = from.AddDays(random.Next(0, 200));
            var daily = Enumerable.Range(0, random.Next(0, 3)).Select(_ => Month(first.AddDays(random.Next(0, 700)))).Distinct().ToArray();
            var period = new RollupPeriod(random.Next(10) == 0 ? null : from, to, daily);

            var parts = period.Parts();

            for (var day = first.AddDays(-40); day < first.AddDays(800); day = day.AddDays(1))
            {
                var expected = (period.From is null || day >= period.From) && day < to ? 1 : 0;
                Assert.True(expected == Weight(parts, day, daily), $"{day} in [{period.From}, {to}) with {string.Join(",", daily)} daily");
            }
        }
    }

    /// <summary>How many times the parts count <paramref name="day"/>: through its daily row, or its month's row.</summary>
    private static int Weight(IEnumerable<RollupPart> parts, DateOnly day, DateOnly[] dailyMonths) => parts
        .Where(p => (p.Grain == 'd' ? day : Month(day)) is var row && row >= p.From && row < p.To)
        .Where(p => p.Months switch
        {
            DailyMonths.Excluded => !dailyMonths.Contains(Month(day)),
            DailyMonths.Only => dailyMonths.Contains(Month(day)),
            _ => true,
        })
        .Sum(p => p.Sign);

    private static DateOnly Month(DateOnly day) => new(day.Year, day.Month, 1);
}
