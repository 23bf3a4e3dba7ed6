using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Contracts;
using Pipeline.Notification.Domain;

namespace Pipeline.Notification.Webhooks;

/// <summary>The events a subscription can ask for, and the body and signature of a delivery (SPEC §5).</summary>
public static class WebhookEvents
{
    public static readonly string[] Names =
    [
        nameof(OpportunityCreated), nameof(OpportunityUpdated), nameof(DecisionDateChanged), nameof(StageChanged),
        nameof(OpportunityWon), nameof(OpportunityLost), nameof(OpportunityReopened),
        nameof(QuoteSent), nameof(QuoteAccepted), nameof(QuoteDeclined), nameof(QuoteExpired),
    ];

    /// <summary><c>{ deliveryId, event, occurredAt, organizationId, data }</c>, the exact bytes signed and sent on every attempt.</summary>
    public static string Body(Guid deliveryId, string eventName, DateTimeOffset occurredAt, Guid organizationId, JsonNode? data) =>
        new JsonObject
        {
            ["deliveryId"] = deliveryId,
            ["event"] = eventName,
            ["occurredAt"] = occurredAt,
            ["organizationId"] = organizationId,
            ["data"] = data,
        }.ToJsonString(Json.Options);

    public static JsonNode? Data(IntegrationMessage message) => JsonSerializer.SerializeToNode(message, message.GetType(), Json.Options);

    /// <summary>
    /// <c>sha256=&lt;lower-case hex HMAC-SHA256 of the raw body&gt;</c>, one per secret; during a rotation's overlap two,
    /// comma-separated (the new secret's first): a receiver accepts the delivery when any of them matches.
    /// </summary>
    public static string Signature(byte[] body, IEnumerable<string> secrets) =>
        string.Join(",", secrets.Select(secret =>
            "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body))));

    /// <summary>A new secret: 32 random bytes, shown once.</summary>
    public static string NewSecret() => "whsec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}
