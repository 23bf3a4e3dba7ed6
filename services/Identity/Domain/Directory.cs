using Pipeline.Messaging.Tenancy;

namespace Pipeline.Identity.Domain;

/// <summary>
/// A tenant: a company using Pipeline.Cloud, and the settings every service honours (published as
/// <c>OrganizationChanged</c>): its currency is the one every converted total is in, its time zone cuts days and
/// periods, its fiscal year starts in <see cref="FiscalYearStartMonth"/>.
/// </summary>
public sealed class Organization
{
    public Guid Id { get; init; }

    public required string Name { get; set; }

    /// <summary>ISO 4217 code, e.g. EUR.</summary>
    public required string Currency { get; set; }

    /// <summary>IANA time zone, e.g. Europe/Paris.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>1 (January) to 12.</summary>
    public int FiscalYearStartMonth { get; set; } = 1;

    /// <summary>Increases by one per change: the ETag of <c>/api/organization</c> and the version of its event.</summary>
    public long Version { get; set; } = 1;
}

public sealed class Team : ITenantOwned
{
    public Guid Id { get; init; }

    public Guid OrganizationId { get; init; }

    public required string Name { get; set; }
}

/// <summary>A person who signs in. E-mail addresses are unique across organisations: they are the login.</summary>
public sealed class User : ITenantOwned
{
    public Guid Id { get; init; }

    public Guid OrganizationId { get; init; }

    public Guid? TeamId { get; set; }

    public required string Email { get; init; }

    public required string Name { get; set; }

    public required string Role { get; set; }

    public string? PasswordHash { get; set; }

    public bool Active { get; set; } = true;
}

/// <summary>
/// Failed sign-ins for one login name (whether or not such a user exists, so throttling reveals nothing):
/// after <see cref="LoginThrottle.MaxFailures"/> failures the name is locked for a while.
/// </summary>
public sealed class LoginAttempts
{
    public required string Login { get; init; }

    public int Failures { get; set; }

    public DateTimeOffset FirstFailureAt { get; set; }

    public DateTimeOffset? LockedUntil { get; set; }
}

/// <summary>A registered API client (client credentials), acting in one organisation with one role.</summary>
public sealed class ApiClient : ITenantOwned
{
    public Guid Id { get; init; }

    public Guid OrganizationId { get; init; }

    /// <summary>The OAuth client_id, also the OpenIddict application's.</summary>
    public required string ClientId { get; init; }

    public required string Name { get; set; }

    public required string Role { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public required string CreatedBy { get; init; }
}

/// <summary>Key material the issuer signs and encrypts with, shared by every replica.</summary>
public sealed class IssuerKey
{
    public Guid Id { get; init; }

    /// <summary><c>signing</c> (RSA, private key as PKCS#8 PEM) or <c>encryption</c> (256-bit AES, base64).</summary>
    public required string Use { get; init; }

    public required string Material { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
