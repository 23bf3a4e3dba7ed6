using Pipeline.Opportunity.Domain;

namespace Pipeline.Opportunity.Apis;

/// <summary>An activity as the API returns it.</summary>
public sealed record ActivityResponse(
    Guid Id, Guid OpportunityId, string Type, string Subject, DateTimeOffset? DueAt, DateOnly? DueDate, string AssigneeId, bool Done,
    DateTimeOffset? CompletedAt, DateTimeOffset CreatedAt, string? CreatedBy)
{
    public static ActivityResponse From(SalesActivity a) => new(
        a.Id, a.OpportunityId, a.Type, a.Subject, a.DueAt, a.DueDate, a.AssigneeId, a.Done, a.CompletedAt, a.CreatedAt, a.CreatedBy);
}
