using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Pipeline.Reporting.Domain;
using Pipeline.Reporting.Infrastructure;
using Pipeline.Reporting.Projections;
using Pipeline.ServiceDefaults;

namespace Pipeline.Reporting.Apis;

/// <summary><c>POST /api/reports/rebuild</c> (admin): rebuilds the organisation's read models from the event history.</summary>
public static class RebuildApi
{
    public static IEndpointRouteBuilder MapRebuildApi(this IEndpointRouteBuilder app)
    {
        var rebuild = app.MapGroup("/api/reports/rebuild").WithTags("Reports").RequireAuthorization(Policies.Admin)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        rebuild.MapPost("/", StartAsync).WithName("StartRebuild").WithSummary("Rebuilds the read models from the opportunity service's event history, readers unaffected until it switches.");
        rebuild.MapGet("/{id:guid}", GetAsync).WithName("GetRebuild").ProducesProblem(StatusCodes.Status404NotFound).WithSummary("A rebuild's progress.");
        return app;
    }

    private static async Task<Results<Accepted<RebuildJob>, ProblemHttpResult>> StartAsync(
        HttpContext http, ReportingDbContext db, CurrentUser caller, Rebuild rebuild, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await db.RebuildJobs.AnyAsync(j => j.Status == "running" || j.Status == "queued", cancellationToken))
        {
            return TypedResults.Problem(title: "A rebuild is already running", statusCode: StatusCodes.Status409Conflict);
        }

        var job = new RebuildJob { Id = Guid.NewGuid(), OrganizationId = caller.OrganizationId, StartedAt = clock.GetUtcNow() };
        db.RebuildJobs.Add(job);
        await db.SaveChangesAsync(cancellationToken);
        var token = http.Request.Headers.Authorization.ToString()["Bearer ".Length..];
        rebuild.Enqueue(new RebuildRequest(job.Id, caller.OrganizationId, token));
        return TypedResults.Accepted($"/api/reports/rebuild/{job.Id}", job);
    }

    private static async Task<Results<Ok<RebuildJob>, ProblemHttpResult>> GetAsync(Guid id, ReportingDbContext db, CancellationToken cancellationToken) =>
        await db.RebuildJobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == id, cancellationToken) is { } job
            ? TypedResults.Ok(job)
            : TypedResults.Problem(title: "Rebuild not found", statusCode: StatusCodes.Status404NotFound);
}
