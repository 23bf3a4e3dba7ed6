using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Pipeline.Reporting.Apis;
using Pipeline.Reporting.Domain;

namespace Pipeline.Reporting.UnitTests;

/// <summary>Reports as CSV: the JSON names as header, one line per row, invariant numbers, ISO dates, quoted where needed.</summary>
public sealed class ReportCsvTests
{
    [Fact]
    public void A_summary_is_one_line_of_its_figures()
    {
        var report = new SummaryReport("EUR", new DateTimeOffset(2026, 12, 4, 10, 30, 0, TimeSpan.Zero), new DateTimeOffset(2025, 12, 5, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.Zero), 3, 61_000m, 39_950.5m, 4, 42_500m, 3, 7_800m, 1.0 / 3, 0.571429, 82.75, 75, 73.9857, 9,
            [new CurrencyFigures("USD", 1, 2, 3, 4)], ["GBP"], ["lostAmount"], [new LeftOutAmounts("GBP", 0, 0, 0, 100)], [new CycleBucket(0, 7, 4)]);

        Assert.Equal("""
            currency,asOf,from,to,openCount,openAmount,weightedAmount,wonCount,wonAmount,lostCount,lostAmount,conversionRate,winRate,averageSalesCycleDays,medianSalesCycleDays,salesVelocityPerDay,createdCount
            EUR,2026-12-04T10:30:00.0000000+00:00,2025-12-05T00:00:00.0000000+00:00,2026-12-05T00:00:00.0000000+00:00,3,61000,39950.5,4,42500,3,7800,0.3333333333333333,0.571429,82.75,75,73.9857,9

            """.ReplaceLineEndings("\n"), Text(ReportCsv.Summary(report)));
    }

    [Fact]
    public void Text_with_commas_quotes_or_line_breaks_is_quoted_and_missing_values_are_empty()
    {
        var deals = new[]
        {
            new SlippedDeal(Guid.Empty, "Racks, phase \"2\"", "alice", "open", null, 2, 30, 1_200.50m, "USD"),
            new SlippedDeal(Guid.Empty, "Two\nlines", "bob", "won", new DateOnly(2027, 3, 31), 1, 7, 5m, "EUR"),
        };

        var file = ReportCsv.Slipped(deals);

        Assert.Equal(("text/csv; charset=utf-8", "slipped.csv"), (file.ContentType, file.FileDownloadName));
        Assert.Equal(""""
            opportunityId,title,ownerId,status,expectedDecisionDate,pushCount,pushedDays,amount,currency
            00000000-0000-0000-0000-000000000000,"Racks, phase ""2""",alice,open,,2,30,1200.50,USD
            00000000-0000-0000-0000-000000000000,"Two
            lines",bob,won,2027-03-31,1,7,5,EUR

            """".ReplaceLineEndings("\n"), Text(file));
    }

    [Fact]
    public void A_forecast_has_a_line_per_month_then_overdue_and_undated_and_an_amount_nothing_converted_into_is_empty()
    {
        var report = new ForecastReport("EUR", null, [new ForecastMonth("2026-12", 1, 9_000, 2_250, 0, [])], new ForecastMonth("overdue", 0, 0, 0, 0, []),
            new ForecastMonth("undated", 1, null, null, 0, ["openAmount", "weightedAmount"]), ["CHF"], [new LeftOutAmounts("CHF", 2_000, 200, 0, 0)]);

        Assert.Equal("""
            month,count,openAmount,weightedAmount,wonAmount
            2026-12,1,9000,2250,0
            overdue,0,0,0,0
            undated,1,,,0

            """.ReplaceLineEndings("\n"), Text(ReportCsv.Forecast(report)));
    }

    private static string Text(FileContentHttpResult file) => Encoding.UTF8.GetString(file.FileContents.Span);
}
