using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Pipeline.Reporting.Domain;
using Pipeline.Reporting.Infrastructure;
using Pipeline.ServiceDefaults;

namespace Pipeline.Reporting.Apis;

/// <summary>The query string of every report.</summary>
public sealed record ReportQuery(
    Guid? PipelineId, DateOnly? From, DateOnly? To, string? OwnerId, Guid? TeamId, string? Segment, string? Source, string? Format)
{
    public ReportCriteria Criteria => new(PipelineId, OwnerId, TeamId, Segment, Source);
}

/// <summary>What every report needs: the caller's scope, the organisation's currency and rates, the readers' generation.</summary>
public sealed class ReportContext(ReportingDbContext db, CurrentUser caller, TimeProvider clock)
{
    public const int MaxPage = 200;

    public DateTimeOffset Now { get; } = clock.GetUtcNow();

    /// <summary>The organisation's today.</summary>
    public DateOnly Today => DateOnly.FromDateTime(Now.UtcDateTime);

    public ValidationProblem? Validate(ReportQuery query)
    {
        var errors = new Dictionary<string, string[]>();
        if (query.Format is not (null or "json" or "csv"))
        {
            errors["format"] = ["json (the default) or csv."];
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

    public async Task<(ReportFilter Filter, DatedRates Rates, DateTimeOffset? AsOf)> PrepareAsync(ReportQuery query, CancellationToken cancellationToken)
    {
        var state = await db.ProjectionStates.AsNoTracking().SingleOrDefaultAsync(cancellationToken) ?? new ProjectionState { OrganizationId = caller.OrganizationId };
        var rates = new DatedRates(state.Currency, await db.Rates.AsNoTracking().ToListAsync(cancellationToken));
        var asOf = await db.DealEvents.MaxAsync(e => (DateTimeOffset?)e.OccurredAt, cancellationToken);
        var reader = new ReportReader(caller.Id, caller.OrganizationId, caller.TeamId, caller.IsAdmin);
        var period = ReportPeriod.Chosen(query.From, query.To, Today, ReportPeriod.UtcMidnight);
        return (ReportFilter.For(reader, state.ActiveGeneration, query.Criteria, period), rates, asOf);
    }

    public async Task<Guid?> DefaultPipelineAsync(CancellationToken cancellationToken) =>
        await db.PipelineStages.Where(s => s.IsDefaultPipeline).Select(s => (Guid?)s.PipelineId).FirstOrDefaultAsync(cancellationToken);
}

internal static class Problems
{
    public static ValidationProblem Invalid(Dictionary<string, string[]> errors) => TypedResults.ValidationProblem(errors, title: "The request is not valid.");

    public static ValidationProblem Invalid(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });
}
