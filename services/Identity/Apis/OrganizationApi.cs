using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Pipeline.Identity.Domain;
using Pipeline.Identity.Infrastructure;
using Pipeline.Messaging.Organizations;
using Pipeline.ServiceDefaults;

namespace Pipeline.Identity.Apis;

public sealed record OrganizationResponse(Guid Id, string Name, string Currency, string TimeZone, int FiscalYearStartMonth, long Version);

public sealed record OrganizationRequest(string? Name, string? Currency, string? TimeZone, int? FiscalYearStartMonth);

/// <summary>
/// The caller's organisation and its settings (SPEC §5 <c>GET|PUT /api/organization</c>). Every member reads; an admin
/// changes; each change is published as <c>OrganizationChanged</c> in the same transaction, and every service then
/// converts into the new currency and cuts days in the new time zone. The ETag is the version; <c>If-Match</c> with
/// an older one answers 412, so two admins never overwrite each other unknowingly.
/// </summary>
public static class OrganizationApi
{
    public static IEndpointRouteBuilder MapOrganizationApi(this IEndpointRouteBuilder app)
    {
        var organization = app.MapGroup("/api/organization").WithTags("Organization");
        organization.MapGet("/", GetAsync).WithName("GetOrganization").Refusals().WithSummary("The organisation's name, currency, time zone and fiscal year.");
        organization.MapPut("/", PutAsync).WithName("UpdateOrganization").RequireAuthorization(Policies.Admin).Refusals(403, 409, 412)
            .WithSummary("Changes the organisation's settings (admin); every service follows them. If-Match honoured.");
        return app;
    }

    private static async Task<Results<Ok<OrganizationResponse>, NotFound>> GetAsync(
        HttpContext http, IdentityDbContext db, CurrentUser caller, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == caller.OrganizationId, cancellationToken);
        if (organization is null)
        {
            return TypedResults.NotFound();
        }

        http.Response.Headers.ETag = ETag(organization.Version);
        return TypedResults.Ok(ToResponse(organization));
    }

    private static async Task<Results<Ok<OrganizationResponse>, ValidationProblem, NotFound, ProblemHttpResult>> PutAsync(
        HttpContext http, OrganizationRequest request, IdentityDbContext db, CurrentUser caller, CancellationToken cancellationToken,
        [FromHeader(Name = "If-Match")] string? ifMatch = null)
    {
        var errors = Validate(request);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The request is not valid.");
        }

        var organization = await db.Organizations.SingleOrDefaultAsync(o => o.Id == caller.OrganizationId, cancellationToken);
        if (organization is null)
        {
            return TypedResults.NotFound();
        }

        // A parameter, not only a header read, so that the OpenAPI document (and the clients made from it) offer it.
        if (!string.IsNullOrEmpty(ifMatch) && ifMatch != "*" && ifMatch != ETag(organization.Version))
        {
            return TypedResults.Problem(title: "The organisation's settings have changed since you read them",
                detail: $"Their current version is {organization.Version}: read them again and retry.", statusCode: StatusCodes.Status412PreconditionFailed);
        }

        var changed = organization.Name != request.Name!.Trim() || organization.Currency != request.Currency
            || organization.TimeZone != request.TimeZone || organization.FiscalYearStartMonth != request.FiscalYearStartMonth;
        if (changed)
        {
            organization.Name = request.Name!.Trim();
            organization.Currency = request.Currency!;
            organization.TimeZone = request.TimeZone!;
            organization.FiscalYearStartMonth = request.FiscalYearStartMonth!.Value;
            organization.Version++;
            db.Publish(OrganizationEvents.Changed(organization, caller.Id));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateConcurrencyException)
            {
                return TypedResults.Problem(title: "Changed at the same time",
                    detail: "Another admin changed the settings at the same moment: read them again and retry.", statusCode: StatusCodes.Status409Conflict);
            }
        }

        http.Response.Headers.ETag = ETag(organization.Version);
        return TypedResults.Ok(ToResponse(organization));
    }

    /// <summary>Every field is required: a PUT states the whole of the settings.</summary>
    private static Dictionary<string, string[]> Validate(OrganizationRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Trim().Length > 200)
        {
            errors["name"] = ["A name of 1 to 200 characters is required."];
        }

        if (!Currencies.IsKnown(request.Currency))
        {
            errors["currency"] = ["An ISO 4217 currency code, e.g. EUR or USD."];
        }

        if (!OrganizationCalendar.IsKnownTimeZone(request.TimeZone))
        {
            errors["timeZone"] = ["An IANA time zone, e.g. Europe/Paris or America/New_York."];
        }

        if (request.FiscalYearStartMonth is not (>= 1 and <= 12))
        {
            errors["fiscalYearStartMonth"] = ["The month the fiscal year starts in, from 1 (January) to 12."];
        }

        return errors;
    }

    private static string ETag(long version) => $"\"{version}\"";

    private static OrganizationResponse ToResponse(Organization organization) => new(
        organization.Id, organization.Name, organization.Currency.Trim(), organization.TimeZone, organization.FiscalYearStartMonth, organization.Version);
}
