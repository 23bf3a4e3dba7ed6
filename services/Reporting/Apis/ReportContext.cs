using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Pipeline.Messaging.Organizations;
using Pipeline.Reporting.Domain;
using Pipeline.Reporting.Infrastructure;
using Pipeline.ServiceDefaults;

namespace Pipeline.Reporting.Apis;

/// <summary>
/// The query string of every report: the deals (pipeline, owner, team, segment, source) and the period, either
/// <c>from</c>/<c>to</c> (days, both included) or <c>period</c> (the fiscal year or quarter containing <c>from</c>, or today).
/// </summary>
public sealed record ReportQuery(
    Guid? PipelineId, DateOnly? From, DateOnly? To, string? Period, string? OwnerId, Guid? TeamId, string? Segment, string? Source, string? Format)
{
    public ReportCriteria Criteria => new(PipelineId, OwnerId, TeamId, Segment, Source);
}

/// <summary>
/// What a report is computed with: which deals (<see cref="Filter"/>, with its period), the organisation's currency
/// and rates (<see cref="Money"/>), its calendar and today, and how current the read models are.
/// </summary>
/// <param name="TimeZone">The time zone the read models' days are cut in, as the database names it.</param>
public sealed record ReportSetting(ReportFilter Filter, ReportCurrency Money, string TimeZone, DateOnly Today, DateTimeOffset? AsOf);

/// <summary>What every report needs: the caller's scope, the organisation's settings and rates, the readers' generation.</summary>
public sealed class ReportContext(ReportingDbContext db, CurrentUser caller, TimeProvider clock)
{
    public const int MaxPage = 200;

    public DateTimeOffset Now { get; } = clock.GetUtcNow();

    public ValidationProblem? Validate(ReportQuery query)
    {
        var errors = new Dictionary<string, string[]>();
        if (query.Format is not (null or "json" or "csv"))
        {
            errors["format"] = ["json (the default) or csv."];
        }

        if (query.Period is not (null or ReportPeriod.FiscalYear or ReportPeriod.FiscalQuarter))
        {
            errors["period"] = [$"{ReportPeriod.FiscalYear} or {ReportPeriod.FiscalQuarter} (or from and to instead)."];
        }
        else if (query.Period is not null && query.To is not null)
        {
            errors["to"] = ["A fiscal period ends where it ends: give period with from (a day in it) or alone (the one containing today), not with to."];
        }

        if (query.From > query.To)
        {
            errors["to"] = ["to is on or after from."];
        }

        if (query.From is { Year: < 1900 } || query.To is { Year: > 2200 })
        {
            errors["from"] = ["The period is between 1900 and 2200."];
        }

        return errors.Count > 0 ? Problems.Invalid(errors) : null;
    }

    public ValidationProblem? ValidatePage(string? cursor, int? limit)
    {
        var errors = new Dictionary<string, string[]>();
        if (limit is < 1 or > MaxPage)
        {
            errors["limit"] = [$"The page size is from 1 to {MaxPage}."];
        }

        if (cursor is not null && (!int.TryParse(cursor, out var offset) || offset < 0))
        {
            errors["cursor"] = ["The cursor is not one this report gave."];
        }

        return errors.Count > 0 ? Problems.Invalid(errors) : null;
    }

    public static (int Offset, int Size) Page(string? cursor, int? limit) => (cursor is null ? 0 : int.Parse(cursor), limit ?? 50);

    /// <summary>
    /// The report's setting: days follow the time zone the readers' generation of the read models is cut in (the
    /// organisation's, or, while a re-cut after a change of zone runs, the previous one), amounts the organisation's
    /// currency, fiscal periods the organisation's fiscal year.
    /// </summary>
    public Task<ReportSetting> PrepareAsync(ReportQuery query, CancellationToken cancellationToken) =>
        PrepareAsync(query.Criteria, (calendar, today) => query.Period is { } fiscal
            ? ReportPeriod.Fiscal(fiscal, query.From ?? today, calendar)
            : ReportPeriod.Chosen(query.From, query.To, today, calendar), cancellationToken);

    /// <summary>The same, for a period <paramref name="period"/> cuts in the organisation's calendar from today.</summary>
    public async Task<ReportSetting> PrepareAsync(
        ReportCriteria criteria, Func<OrganizationCalendar, DateOnly, ReportPeriod> period, CancellationToken cancellationToken)
    {
        var profile = await OrganizationProfiles.CurrentAsync(db, cancellationToken);
        var state = await db.ProjectionStates.AsNoTracking().SingleOrDefaultAsync(cancellationToken)
            ?? new ProjectionState { OrganizationId = caller.OrganizationId, TimeZone = profile.TimeZone };
        var table = await db.RateTables.AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        var rates = await db.Rates.AsNoTracking().Select(r => new DatedRate(r.Currency, r.EffectiveFrom, r.Rate)).ToListAsync(cancellationToken);
        var money = new ReportCurrency(profile.Currency, new DatedExchangeRates(table?.QuotedIn ?? profile.Currency, rates))
        {
            RateChangeDays = rates.Select(r => r.EffectiveFrom).Distinct().ToList(),
        };
        var asOf = await db.DealEvents.MaxAsync(e => (DateTimeOffset?)e.OccurredAt, cancellationToken);

        var calendar = OrganizationCalendar.For(state.TimeZone, profile.FiscalYearStartMonth);
        var today = calendar.DayOf(Now);
        var reader = new ReportReader(caller.Id, caller.OrganizationId, caller.TeamId, caller.IsAdmin);
        return new ReportSetting(ReportFilter.For(reader, state.ActiveGeneration, criteria, period(calendar, today)), money, state.TimeZone, today, asOf);
    }

    /// <summary>Whether <paramref name="stageId"/> is a stage of the caller's organisation (of any of its pipelines).</summary>
    public Task<bool> IsStageAsync(Guid stageId, CancellationToken cancellationToken) =>
        db.PipelineStages.AnyAsync(s => s.StageId == stageId, cancellationToken);

    public async Task<Guid?> DefaultPipelineAsync(CancellationToken cancellationToken) =>
        await db.PipelineStages.Where(s => s.IsDefaultPipeline).Select(s => (Guid?)s.PipelineId).FirstOrDefaultAsync(cancellationToken);
}

internal static class Problems
{
    public static ValidationProblem Invalid(Dictionary<string, string[]> errors) => TypedResults.ValidationProblem(errors, title: "The request is not valid.");

    public static ValidationProblem Invalid(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });
}
