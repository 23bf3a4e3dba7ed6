using Pipeline.Opportunity.Domain;

namespace Pipeline.Opportunity.Apis;

/// <summary>A quote as the API returns it (SPEC §5).</summary>
public sealed record QuoteResponse(
    Guid Id, string Number, string Status, decimal Amount, string Currency, DateOnly? ValidUntil, DateTimeOffset? SentAt,
    DateTimeOffset? AnsweredAt, string? DeclineReason, Guid OpportunityId, DateTimeOffset CreatedAt)
{
    public static QuoteResponse From(Quote q) => new(
        q.Id, q.Number, q.Status, q.Amount, q.Currency.Trim(), q.ValidUntil, q.SentAt, q.AnsweredAt, q.DeclineReason, q.OpportunityId, q.CreatedAt);
}
