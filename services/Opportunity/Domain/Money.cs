using Pipeline.Messaging.Tenancy;

namespace Pipeline.Opportunity.Domain;

/// <summary>
/// The organisation's table of exchange rates as a whole: the currency its rates are quoted in, the organisation's
/// currency when an admin last replaced it. The organisation's currency itself comes from identity
/// (<c>OrganizationChanged</c>); amounts convert into it through this table (see <c>DatedExchangeRates</c>).
/// </summary>
public sealed class ExchangeRateTable : ITenantOwned
{
    public Guid OrganizationId { get; init; }

    public required string QuotedIn { get; set; }
}

/// <summary>One unit of <see cref="Currency"/> is worth <see cref="Rate"/> units of the table's currency from <see cref="EffectiveFrom"/>.</summary>
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
