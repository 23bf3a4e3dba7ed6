using Pipeline.Contracts;

namespace Pipeline.Opportunity.Domain;

/// <summary>The SPEC §4 activity events.</summary>
internal static class ActivityEvents
{
    public static ActivityScheduled Scheduled(SalesActivity a, string? actorId) => new()
    {
        OrganizationId = a.OrganizationId, ActorId = actorId, OccurredAt = a.CreatedAt, ActivityId = a.Id, OpportunityId = a.OpportunityId,
        Type = a.Type, Subject = a.Subject, AssigneeId = a.AssigneeId, DueAt = a.DueAt, DueDate = a.DueDate,
    };

    public static ActivityCompleted Completed(SalesActivity a, string? actorId) => new()
    {
        OrganizationId = a.OrganizationId, ActorId = actorId, OccurredAt = a.CompletedAt!.Value, ActivityId = a.Id, OpportunityId = a.OpportunityId,
        Type = a.Type, AssigneeId = a.AssigneeId, CompletedAt = a.CompletedAt!.Value,
    };
}
