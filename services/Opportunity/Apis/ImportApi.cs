using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Pipeline.Opportunity.Domain;
using Pipeline.Opportunity.Import;
using Pipeline.Opportunity.Infrastructure;
using Pipeline.ServiceDefaults;

namespace Pipeline.Opportunity.Apis;

public sealed record ImportErrorResponse(int Line, string Message);

/// <summary>An import job as SPEC §5 shows it; <c>failure</c> says why a failed job stopped.</summary>
public sealed record ImportJobResponse(
    Guid Id, string Status, int RowsTotal, int RowsDone, int RowsFailed, IReadOnlyList<ImportErrorResponse> Errors, string? Failure,
    DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt)
{
    public static ImportJobResponse From(ImportJob job) => new(
        job.Id, job.Status, job.RowsTotal, job.RowsDone, job.RowsFailed,
        job.Errors.OrderBy(e => e.Line).Select(e => new ImportErrorResponse(e.Line, e.Message)).ToList(), job.Failure, job.CreatedAt, job.CompletedAt);
}

/// <summary>
/// <c>POST /api/opportunities/import</c>: an admin migrates deals from a CSV file (native, or a foreign CRM's with
/// options). The request stores the file, checks the options against its header and answers 202 with the job at
/// once; the <see cref="ImportWorker"/> does the rest, followed at <c>GET /api/opportunities/import/{id}</c>.
/// </summary>
public static class ImportApi
{
    /// <summary>As much as the gateway lets through on this route (its appsettings.json); the gateway enforces it first.</summary>
    public const long MaxFileBytes = 200 * 1024 * 1024;

    private static readonly string[] CsvMediaTypes = ["text/csv", "application/csv", "text/plain", "application/vnd.ms-excel"];

    public static IEndpointRouteBuilder MapImportApi(this IEndpointRouteBuilder app)
    {
        var import = app.MapGroup("/api/opportunities/import").WithTags("Import and export").RequireAuthorization(Policies.Admin);
        import.MapPost("/", ImportAsync).WithName("ImportOpportunities")
            .WithMetadata(new RequestSizeLimitAttribute(MaxFileBytes))
            .Answers<ImportJobResponse>(StatusCodes.Status202Accepted, 400, 403, 413, 415)
            .WithSummary("Imports deals from CSV (text/csv body with ?options=<JSON>, or multipart/form-data with parts file and options); answers 202 with the job (admin).");
        import.MapGet("/{jobId:guid}", GetAsync).WithName("GetImport").Answers<ImportJobResponse>(StatusCodes.Status200OK, 403, 404).WithSummary("An import's progress and the lines it could not import (admin).");
        return app;
    }

    private static async Task<IResult> ImportAsync(
        HttpRequest request, [FromQuery(Name = "options")] string? queryOptions, OpportunityDbContext db, CurrentUser caller, ImportQueue queue,
        IOptions<ImportSettings> settings, TimeProvider clock, CancellationToken cancellationToken)
    {
        var jobId = Guid.NewGuid();
        System.IO.Directory.CreateDirectory(settings.Value.Directory);
        var path = Path.Combine(settings.Value.Directory, $"{jobId:N}.csv");
        var accepted = false;
        try
        {
            var (options, problem) = await StoreFileAsync(request, queryOptions, path, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }

            var errors = new Dictionary<string, string[]>();
            var parsed = ImportOptions.Parse(options, errors);
            if (errors.Count > 0)
            {
                return Problems.Invalid(errors);
            }

            IReadOnlyList<string> header;
            await using (var file = ImportFile.Open(path, parsed.Delimiter))
            {
                header = await file.ReadHeaderAsync(cancellationToken);
            }

            if (header.Count == 0)
            {
                return Problems.Invalid("file", $"The file is empty: its first line is the header ({string.Join(",", OpportunityCsv.Header)}), each further line a deal.");
            }

            if (ImportMapping.Compile(parsed, header, errors) is null)
            {
                return Problems.Invalid(errors);
            }

            var now = clock.GetUtcNow();
            var job = new ImportJob { Id = jobId, CreatedBy = caller.Id, CreatedAt = now, HeartbeatAt = now };
            db.ImportJobs.Add(job);
            await db.SaveChangesAsync(cancellationToken);
            queue.Enqueue(new ImportWork(jobId, caller.OrganizationId, caller.Id, path, parsed));
            accepted = true;
            return TypedResults.Accepted($"/api/opportunities/import/{jobId}", ImportJobResponse.From(job));
        }
        finally
        {
            if (!accepted)
            {
                File.Delete(path);
            }
        }
    }

    private static async Task<IResult> GetAsync(Guid jobId, OpportunityDbContext db, CancellationToken cancellationToken)
    {
        var job = await db.ImportJobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == jobId, cancellationToken);
        return job is null ? Problems.NotFound("Import") : TypedResults.Ok(ImportJobResponse.From(job));
    }

    /// <summary>Streams the file to disk (never whole into memory) and returns the options' JSON, from the query or the form.</summary>
    private static async Task<(string? Options, IResult? Problem)> StoreFileAsync(
        HttpRequest request, string? queryOptions, string path, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType))
        {
            return (null, Unsupported());
        }

        if (CsvMediaTypes.Contains(contentType.MediaType.Value, StringComparer.OrdinalIgnoreCase))
        {
            await using var file = File.Create(path);
            await request.Body.CopyToAsync(file, cancellationToken);
            return (queryOptions, null);
        }

        if (!string.Equals(contentType.MediaType.Value, "multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 } boundary)
        {
            return (null, Unsupported());
        }

        var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = MaxFileBytes };
        string? formOptions = null;
        var hasFile = false;
        while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
        {
            var name = ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                ? HeaderUtilities.RemoveQuotes(disposition.Name).Value
                : null;
            switch (name)
            {
                case "file":
                    await using (var file = File.Create(path))
                    {
                        await section.Body.CopyToAsync(file, cancellationToken);
                    }

                    hasFile = true;
                    break;
                case "options":
                    formOptions = await ReadTextAsync(section.Body, cancellationToken);
                    if (formOptions is null)
                    {
                        return (null, Problems.Invalid("options", $"The options are at most {ImportOptions.MaxJsonLength / 1024} KiB of JSON."));
                    }

                    break;
                default:
                    return (null, Problems.Invalid("form", $"Unknown part '{name}': the form has the parts file (the CSV) and options (JSON)."));
            }
        }

        if (!hasFile)
        {
            return (null, Problems.Invalid("file", "The form has no part named file (the CSV)."));
        }

        if (formOptions is not null && queryOptions is not null)
        {
            return (null, Problems.Invalid("options", "Give the options once: in the form or in the query, not both."));
        }

        return (formOptions ?? queryOptions, null);
    }

    private static async Task<string?> ReadTextAsync(Stream body, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(body);
        var buffer = new char[ImportOptions.MaxJsonLength + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await reader.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        return length > ImportOptions.MaxJsonLength ? null : new string(buffer, 0, length);
    }

    private static IResult Unsupported() => TypedResults.Problem(
        title: "Unsupported media type",
        detail: "Send the CSV as text/csv (options in the query: ?options=<URL-encoded JSON>) or as multipart/form-data with the parts file and options.",
        statusCode: StatusCodes.Status415UnsupportedMediaType);
}
