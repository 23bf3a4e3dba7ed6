using Pipeline.Contracts;

namespace Pipeline.Opportunity.Domain;

/// <summary>The SPEC §4 quote events, built from the quote (and its opportunity) after the change.</summary>
internal static class QuoteEvents
{
    public static QuoteSent Sent(Quote q, Opportunity o, string? actorId) => new()
    {
        OrganizationId = q.OrganizationId, ActorId = actorId, OccurredAt = q.SentAt!.Value, OpportunityId = q.OpportunityId, QuoteId = q.Id,
        QuoteNumber = q.Number, Amount = q.Amount, Currency = q.Currency.Trim(), ValidUntil = q.ValidUntil, OwnerId = o.OwnerId,
        TeamId = o.TeamId, ContactEmail = o.ContactEmail, SentAt = q.SentAt!.Value,
    };

    public static QuoteAccepted Accepted(Quote q, string? actorId) => new()
    {
        OrganizationId = q.OrganizationId, ActorId = actorId, OccurredAt = q.AnsweredAt!.Value, OpportunityId = q.OpportunityId, QuoteId = q.Id,
        QuoteNumber = q.Number,
    };

    public static QuoteDeclined Declined(Quote q, string? actorId) => new()
    {
        OrganizationId = q.OrganizationId, ActorId = actorId, OccurredAt = q.AnsweredAt!.Value, OpportunityId = q.OpportunityId, QuoteId = q.Id,
        QuoteNumber = q.Number, Reason = q.DeclineReason,
    };

    public static QuoteExpired Expired(Guid organizationId, Guid opportunityId, Guid quoteId, string number, DateTimeOffset at) => new()
    {
        OrganizationId = organizationId, ActorId = null, OccurredAt = at, OpportunityId = opportunityId, QuoteId = quoteId, QuoteNumber = number,
    };
}
