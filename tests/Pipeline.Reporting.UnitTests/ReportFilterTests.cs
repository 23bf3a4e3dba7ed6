using Pipeline.Messaging.Organizations;
using Pipeline.Reporting.Domain;

namespace Pipeline.Reporting.UnitTests;

/// <summary>Who sees which deals in a report, and which days a report covers.</summary>
public sealed class ReportFilterTests
{
    private static readonly Guid Acme = Guid.NewGuid();
    private static readonly Guid East = Guid.NewGuid();
    private static readonly ReportCriteria Everything = new(null, null, null, null, null);
    private static readonly ReportPeriod Year = ReportPeriod.Chosen(null, null, new DateOnly(2026, 12, 4), OrganizationCalendar.Utc);

    [Fact]
    public void An_admin_sees_the_organisations_figures()
    {
        var filter = ReportFilter.For(new ReportReader("admin", Acme, null, IsAdmin: true), 1, Everything, Year);
        Assert.Equal((Acme, (string?)null, (Guid?)null, false), (filter.OrganizationId, filter.VisibleOwner, filter.VisibleTeam, filter.OfOneOwner));
    }

    [Fact]
    public void A_rep_or_manager_in_a_team_sees_the_teams_figures()
    {
        var filter = ReportFilter.For(new ReportReader("maria", Acme, East, IsAdmin: false), 1, Everything, Year);
        Assert.Equal(((string?)null, (Guid?)East, false), (filter.VisibleOwner, filter.VisibleTeam, filter.OfOneOwner));
    }

    [Fact]
    public void A_rep_without_a_team_sees_their_own_deals_only()
    {
        var filter = ReportFilter.For(new ReportReader("dan", Acme, null, IsAdmin: false), 1, Everything, Year);
        Assert.Equal(("dan", (Guid?)null, true), (filter.VisibleOwner, filter.VisibleTeam, filter.OfOneOwner));
    }

    [Fact]
    public void Owner_me_is_the_reader()
    {
        var filter = ReportFilter.For(new ReportReader("alice", Acme, East, IsAdmin: false), 1, Everything with { OwnerId = "me" }, Year);
        Assert.Equal(("alice", "alice"), (filter.OwnerId, filter.Owner));
    }

    [Fact]
    public void By_default_a_report_covers_the_twelve_months_up_to_today_included()
    {
        Assert.Equal((new DateOnly(2025, 12, 5), new DateOnly(2026, 12, 5)), (Year.FromDay, Year.ToDay));
        Assert.Equal(new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.Zero), Year.To);
    }

    [Fact]
    public void A_chosen_period_includes_both_its_days()
    {
        var period = ReportPeriod.Chosen(new DateOnly(2026, 1, 1), new DateOnly(2026, 3, 31), new DateOnly(2026, 12, 4), OrganizationCalendar.Utc);
        Assert.Equal((new DateOnly(2026, 1, 1), new DateOnly(2026, 4, 1)), (period.FromDay, period.ToDay));
        var untilToday = ReportPeriod.Chosen(new DateOnly(2026, 6, 1), null, new DateOnly(2026, 12, 4), OrganizationCalendar.Utc);
        Assert.Equal(new DateOnly(2026, 12, 5), untilToday.ToDay);
    }

    [Fact]
    public void A_period_starts_and_ends_at_the_organisations_midnight()
    {
        var newYork = OrganizationCalendar.For("America/New_York", 1);
        var january = ReportPeriod.Chosen(new DateOnly(2027, 1, 1), new DateOnly(2027, 1, 31), new DateOnly(2027, 3, 1), newYork);
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 5, 0, 0, TimeSpan.Zero), january.From);
        Assert.Equal(new DateTimeOffset(2027, 2, 1, 5, 0, 0, TimeSpan.Zero), january.To);
    }

    [Fact]
    public void A_fiscal_year_starting_in_april_and_its_quarters_contain_the_day_given()
    {
        var calendar = OrganizationCalendar.For("America/New_York", 4);

        var year = ReportPeriod.Fiscal(ReportPeriod.FiscalYear, new DateOnly(2027, 2, 10), calendar);
        var quarter = ReportPeriod.Fiscal(ReportPeriod.FiscalQuarter, new DateOnly(2027, 2, 10), calendar);
        var firstQuarter = ReportPeriod.Fiscal(ReportPeriod.FiscalQuarter, new DateOnly(2026, 4, 1), calendar);

        Assert.Equal((new DateOnly(2026, 4, 1), new DateOnly(2027, 4, 1)), (year.FromDay, year.ToDay));
        Assert.Equal((new DateOnly(2027, 1, 1), new DateOnly(2027, 4, 1)), (quarter.FromDay, quarter.ToDay));
        Assert.Equal((new DateOnly(2026, 4, 1), new DateOnly(2026, 7, 1)), (firstQuarter.FromDay, firstQuarter.ToDay));
        Assert.Equal(new DateTimeOffset(2026, 4, 1, 4, 0, 0, TimeSpan.Zero), year.From);   // New York's midnight, daylight saving time
    }
}
