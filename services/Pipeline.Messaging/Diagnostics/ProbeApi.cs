using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Contracts;
using Pipeline.ServiceDefaults;

namespace Pipeline.Messaging.Diagnostics;

public sealed record ProbeResponse(Guid ProbeId, string SentBy, DateTimeOffset SentAt, DateTimeOffset? ReceivedAt);

/// <summary>
/// An administrator's end-to-end check of the event path: <c>POST /api/{service}/diagnostics/probes</c> writes a
/// <see cref="ProbeSent"/> of the caller's organisation through this service's outbox;
/// <c>GET /api/{service}/diagnostics/probes/{id}</c> on any service answers 200 once that service has consumed it.
/// Probes belong to the organisation that sent them, like every other record.
/// </summary>
public static class ProbeApi
{
    public static RouteGroupBuilder MapProbeApi<TContext>(this IEndpointRouteBuilder app, string serviceName)
        where TContext : ServiceDbContext
    {
        var group = app.MapGroup($"/api/{serviceName}/diagnostics/probes").WithTags("Diagnostics").RequireAuthorization(Policies.Admin);
        var endpoints = new ProbeEndpoints<TContext>(serviceName);
        group.MapPost("/", endpoints.SendAsync)
            .WithName($"{serviceName}-send-probe")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary("Publishes a probe event through this service's outbox.");
        group.MapGet("/{probeId:guid}", endpoints.GetAsync)
            .WithName($"{serviceName}-get-probe")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary("Tells whether this service has received the probe.");
        group.MapDelete("/{probeId:guid}", endpoints.ForgetAsync)
            .WithName($"{serviceName}-forget-probe")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary("Forgets a received probe.");
        return group;
    }
}

// Handlers resolve the DbContext from the request: the route analyzer cannot bind a generic parameter type.
internal sealed class ProbeEndpoints<TContext>(string serviceName) where TContext : ServiceDbContext
{
    public async Task<Created<ProbeResponse>> SendAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var db = http.RequestServices.GetRequiredService<TContext>();
        var caller = http.RequestServices.GetRequiredService<CurrentUser>();
        var probe = new ProbeSent { ProbeId = Guid.NewGuid(), SentBy = serviceName, OrganizationId = caller.OrganizationId, ActorId = caller.Id };
        db.Publish(probe);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created(
            $"/api/{serviceName}/diagnostics/probes/{probe.ProbeId}",
            new ProbeResponse(probe.ProbeId, serviceName, probe.OccurredAt, null));
    }

    public async Task<Results<Ok<ProbeResponse>, NotFound>> GetAsync(Guid probeId, HttpContext http, CancellationToken cancellationToken)
    {
        var db = http.RequestServices.GetRequiredService<TContext>();
        var receipt = await db.Set<ProbeReceipt>().AsNoTracking().FirstOrDefaultAsync(r => r.ProbeId == probeId, cancellationToken);
        return receipt is null
            ? TypedResults.NotFound()
            : TypedResults.Ok(new ProbeResponse(receipt.ProbeId, receipt.SentBy, receipt.SentAt, receipt.ReceivedAt));
    }

    public async Task<Results<NoContent, NotFound>> ForgetAsync(Guid probeId, HttpContext http, CancellationToken cancellationToken)
    {
        var db = http.RequestServices.GetRequiredService<TContext>();
        var forgotten = await db.Set<ProbeReceipt>().Where(r => r.ProbeId == probeId).ExecuteDeleteAsync(cancellationToken);
        return forgotten == 0 ? TypedResults.NotFound() : TypedResults.NoContent();
    }
}
