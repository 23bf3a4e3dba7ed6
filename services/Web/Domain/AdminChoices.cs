using System.Globalization;

namespace Pipeline.Web.Domain;

/// <summary>The valid values the admin screens offer, so that an admin picks rather than types a code the API would refuse.</summary>
public static class AdminChoices
{
    /// <summary>ISO 4217 codes of the currencies .NET knows a country for.</summary>
    public static readonly IReadOnlyList<string> Currencies = CultureInfo.GetCultures(CultureTypes.SpecificCultures)
        .Select(culture => { try { return new RegionInfo(culture.Name).ISOCurrencySymbol; } catch (ArgumentException) { return null; } })
        .OfType<string>().Where(code => code.Length == 3).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>IANA time zone ids (what the organisation's settings store).</summary>
    public static readonly IReadOnlyList<string> TimeZones = TimeZoneInfo.GetSystemTimeZones()
        .Select(zone => zone.Id).Where(id => id.Contains('/') || id == "UTC").Order(StringComparer.Ordinal).ToList();

    /// <summary>The events a webhook can subscribe to, as the notification service names them (WebhookEvents.Names there).</summary>
    public static readonly IReadOnlyList<string> WebhookEvents =
    [
        "OpportunityCreated", "OpportunityUpdated", "DecisionDateChanged", "StageChanged", "OpportunityWon", "OpportunityLost",
        "OpportunityReopened", "QuoteSent", "QuoteAccepted", "QuoteDeclined", "QuoteExpired",
    ];
}
