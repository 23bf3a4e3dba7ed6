using Pipeline.Messaging.Tenancy;

namespace Pipeline.Opportunity.Domain;

/// <summary>The organisation's settings this service owns: its currency, the one every converted total uses.</summary>
public sealed class OrganizationSettings : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public required string Currency { get; set; }
}

/// <summary>One unit of <see cref="Currency"/> is worth <see cref="Rate"/> units of the organisation's currency from <see cref="EffectiveFrom"/>.</summary>
public sealed class ExchangeRate : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public required string Currency { get; init; }

    public DateOnly EffectiveFrom { get; init; }

    public decimal Rate { get; set; }
}

/// <summary>A user of the organisation, as identity last described them (from <c>UserChanged</c>).</summary>
public sealed class DirectoryUser : ITenantOwned
{
    public required string UserId { get; init; }

    public Guid OrganizationId { get; init; }

    public Guid? TeamId { get; set; }

    public required string Role { get; set; }

    public required string Name { get; set; }

    public required string Email { get; set; }

    public bool Active { get; set; }
}
