using Microsoft.AspNetCore.Http;
using Pipeline.ServiceDefaults;

namespace Pipeline.Messaging.Tenancy;

/// <summary>An entity that belongs to one organisation; queries see only the current organisation's rows.</summary>
public interface ITenantOwned
{
    Guid OrganizationId { get; }
}

/// <summary>
/// The organisation whose data the current request or message may read and write. For a request it is the
/// organisation in the caller's validated token; for a message, the <c>OrganizationId</c> of the message (set by
/// the consumer base class). Nothing else can set it: not a request body, not a header.
/// </summary>
public sealed class TenantScope(IHttpContextAccessor? http = null, ClaimNames? claims = null)
{
    private Guid? _organizationId;

    /// <summary>The current organisation, or null when there is none (an anonymous request, a system task).</summary>
    public Guid? OrganizationId
    {
        get
        {
            if (_organizationId is null
                && http?.HttpContext?.User is { Identity.IsAuthenticated: true } user
                && Guid.TryParse(user.FindFirst(claims?.Organization ?? "org")?.Value, out var fromToken))
            {
                _organizationId = fromToken;
            }

            return _organizationId;
        }
    }

    /// <summary>Scopes this unit of work to an organisation: a consumer does so with the message's organisation.</summary>
    public void Use(Guid organizationId)
    {
        if (_organizationId is { } current && current != organizationId)
        {
            throw new InvalidOperationException("A unit of work cannot change organisation.");
        }

        _organizationId = organizationId;
    }
}
