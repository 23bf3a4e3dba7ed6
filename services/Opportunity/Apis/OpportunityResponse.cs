using Pipeline.Opportunity.Domain;

namespace Pipeline.Opportunity.Apis;

// The sales domain's Opportunity: from inside namespace Pipeline.Opportunity, C# would find the namespace first.
using Opportunity = Pipeline.Opportunity.Domain.Opportunity;

/// <summary>An opportunity as the API returns it (SPEC §5); its <c>version</c> is also its ETag.</summary>
public sealed record OpportunityResponse(
    Guid Id, string Title, string? AccountName, string? ContactName, string? ContactEmail, decimal Amount, string Currency,
    Guid PipelineId, Guid StageId, DateOnly? ExpectedDecisionDate, string? Source, string? Segment, string OwnerId, Guid? TeamId,
    string Status, int Probability, long Version, string? LostReason, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset StageEnteredAt, DateTimeOffset? ClosedAt, DateTimeOffset LastActivityAt)
{
    public static OpportunityResponse From(Opportunity o) => new(
        o.Id, o.Title, o.AccountName, o.ContactName, o.ContactEmail, o.Amount, o.Currency.Trim(), o.PipelineId, o.StageId,
        o.ExpectedDecisionDate, o.Source, o.Segment, o.OwnerId, o.TeamId, o.Status.Value, o.Probability, o.Version, o.LostReason,
        o.CreatedAt, o.UpdatedAt, o.StageEnteredAt, o.ClosedAt, o.LastActivityAt);
}

/// <summary>ETags are the opportunity's version; <c>If-Match</c> with another version answers 412.</summary>
internal static class Versions
{
    public static string ETag(long version) => $"\"{version}\"";

    /// <summary>False when the request carries an If-Match that is not the current version.</summary>
    public static bool Matches(HttpRequest request, long current)
    {
        var ifMatch = request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(ifMatch) || ifMatch.Trim() == "*")
        {
            return true;
        }

        return ifMatch.Split(',').Select(tag => tag.Trim().TrimStart('W', '/').Trim('"')).Contains(current.ToString());
    }
}
