using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Pipeline.Opportunity.Domain;
using Pipeline.Opportunity.Import;
using Pipeline.Opportunity.Infrastructure;
using Pipeline.ServiceDefaults;

namespace Pipeline.Opportunity.Apis;

/// <summary>
/// <c>GET /api/opportunities/export</c>: the deals the caller may read, with the list's filters, as native CSV
/// (what import reads back), streamed row by row from the database so that the export of a whole organisation
/// holds one row in memory at a time.
/// </summary>
public static class ExportApi
{
    public sealed record ExportQuery(
        Guid? PipelineId, Guid? StageId, string? Status, string? OwnerId, Guid? TeamId, string? Segment, string? Source,
        DateOnly? DecisionFrom, DateOnly? DecisionTo, string? Q);

    private sealed record ExportRow(
        string Title, string? AccountName, string? ContactName, string? ContactEmail, decimal Amount, string Currency, string Pipeline,
        string Stage, OpportunityStatus Status, DateOnly? ExpectedDecisionDate, DateTimeOffset CreatedAt, DateTimeOffset? ClosedAt, string? LostReason,
        string? OwnerEmail, string? Source, string? Segment);

    public static IEndpointRouteBuilder MapExportApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/opportunities/export", Export).WithName("ExportOpportunities").WithTags("Import and export")
            .Answers(StatusCodes.Status200OK, "text/csv", 400)
            .WithSummary("The deals you can read, filtered as the list is, as CSV in the import's native format (streamed).");
        return app;
    }

    private static IResult Export(
        [AsParameters] ExportQuery query, OpportunityDbContext db, SalesAccess access, CurrentUser caller, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var filter = new OpportunityFilter(query.PipelineId, query.StageId, query.Status, query.OwnerId, query.TeamId, query.Segment,
            query.Source, query.DecisionFrom, query.DecisionTo, query.Q);
        var errors = filter.Validate();
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var rows =
            from o in filter.Apply(access.Visible(db.Opportunities.AsNoTracking()), caller)
            join p in db.Pipelines on o.PipelineId equals p.Id
            join s in db.Stages on o.StageId equals s.Id
            join u in db.Directory on o.OwnerId equals u.UserId into owners
            from u in owners.DefaultIfEmpty()
            orderby o.CreatedAt, o.Id
            select new ExportRow(o.Title, o.AccountName, o.ContactName, o.ContactEmail, o.Amount, o.Currency, p.Name, s.Name, o.Status,
                o.ExpectedDecisionDate, o.CreatedAt, o.ClosedAt, o.LostReason, u.Email, o.Source, o.Segment);
        var day = clock.GetUtcNow().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Stream(body => WriteAsync(body, rows.AsAsyncEnumerable(), cancellationToken), "text/csv; charset=utf-8", $"opportunities-{day}.csv");
    }

    private static async Task WriteAsync(Stream body, IAsyncEnumerable<ExportRow> rows, CancellationToken cancellationToken)
    {
        // The byte order mark lets a spreadsheet read accents in names right; import skips it.
        await using var csv = CsvWriter.Create(body, CsvWriterOptions.Default with { WriteByteOrderMark = true }, leaveOpen: true);
        csv.WriteHeader(OpportunityCsv.Header);
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            csv.WriteField(row.Title);
            csv.WriteField(row.AccountName);
            csv.WriteField(row.ContactName);
            csv.WriteField(row.ContactEmail);
            csv.WriteField(OpportunityCsv.Format(row.Amount));
            csv.WriteField(row.Currency.Trim());
            csv.WriteField(row.Pipeline);
            csv.WriteField(row.Stage);
            csv.WriteField(row.Status.Value);
            csv.WriteField(row.ExpectedDecisionDate is { } date ? OpportunityCsv.Format(date) : null);
            csv.WriteField(OpportunityCsv.Format(row.CreatedAt));
            csv.WriteField(row.ClosedAt is { } closed ? OpportunityCsv.Format(closed) : null);
            csv.WriteField(row.LostReason);
            csv.WriteField(row.OwnerEmail);
            csv.WriteField(row.Source);
            csv.WriteField(row.Segment);
            await csv.EndRecordAsync(cancellationToken);
        }

        await csv.FlushAsync(cancellationToken);
    }
}
