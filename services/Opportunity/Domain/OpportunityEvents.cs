using Pipeline.Contracts;

namespace Pipeline.Opportunity.Domain;

/// <summary>The SPEC §4 events of an opportunity, built from its state after the change.</summary>
internal static class OpportunityEvents
{
    public static OpportunityCreated Created(Opportunity o, Stage stage, string? actorId, bool imported) => new()
    {
        OrganizationId = o.OrganizationId, ActorId = actorId, OpportunityId = o.Id, Version = o.Version, OccurredAt = o.UpdatedAt,
        PipelineId = o.PipelineId, StageId = o.StageId, StageName = stage.Name, Title = o.Title, AccountName = o.AccountName,
        ContactName = o.ContactName, ContactEmail = o.ContactEmail, OwnerId = o.OwnerId, TeamId = o.TeamId, Amount = o.Amount,
        Currency = o.Currency, Probability = o.Probability, ExpectedDecisionDate = o.ExpectedDecisionDate, Source = o.Source,
        Segment = o.Segment, CreatedAt = o.CreatedAt, Imported = imported,
    };

    public static OpportunityUpdated Updated(Opportunity o, IReadOnlyList<FieldChange> changes, string? actorId) => new()
    {
        OrganizationId = o.OrganizationId, ActorId = actorId, OpportunityId = o.Id, Version = o.Version, OccurredAt = o.UpdatedAt,
        Changes = changes, Title = o.Title, AccountName = o.AccountName, ContactName = o.ContactName, ContactEmail = o.ContactEmail,
        OwnerId = o.OwnerId, TeamId = o.TeamId, Amount = o.Amount, Currency = o.Currency, Probability = o.Probability,
        ExpectedDecisionDate = o.ExpectedDecisionDate, Source = o.Source, Segment = o.Segment,
    };

    public static DecisionDateChanged DecisionDateChanged(Opportunity o, DateOnly? previous, string? actorId) => new()
    {
        OrganizationId = o.OrganizationId, ActorId = actorId, OpportunityId = o.Id, Version = o.Version, OccurredAt = o.UpdatedAt,
        PreviousDate = previous, NewDate = o.ExpectedDecisionDate,
    };

    public static StageChanged StageChanged(Opportunity o, Stage from, Stage to, TimeSpan timeInPreviousStage, string? actorId) => new()
    {
        OrganizationId = o.OrganizationId, ActorId = actorId, OpportunityId = o.Id, Version = o.Version, OccurredAt = o.UpdatedAt,
        PipelineId = o.PipelineId, FromStageId = from.Id, FromStageName = from.Name, ToStageId = to.Id, ToStageName = to.Name,
        Probability = o.Probability, Amount = o.Amount, Currency = o.Currency, OwnerId = o.OwnerId, TeamId = o.TeamId,
        TimeInPreviousStage = timeInPreviousStage,
    };

    public static OpportunityWon Won(Opportunity o, TimeSpan timeInStage, string? actorId) => new()
    {
        OrganizationId = o.OrganizationId, ActorId = actorId, OpportunityId = o.Id, Version = o.Version, OccurredAt = o.UpdatedAt,
        PipelineId = o.PipelineId, StageId = o.StageId, Amount = o.Amount, Currency = o.Currency, OwnerId = o.OwnerId,
        TeamId = o.TeamId, ClosedAt = o.ClosedAt!.Value, TimeInStage = timeInStage,
    };

    public static OpportunityLost Lost(Opportunity o, TimeSpan timeInStage, string? actorId) => new()
    {
        OrganizationId = o.OrganizationId, ActorId = actorId, OpportunityId = o.Id, Version = o.Version, OccurredAt = o.UpdatedAt,
        PipelineId = o.PipelineId, StageId = o.StageId, Reason = o.LostReason ?? string.Empty, Amount = o.Amount, Currency = o.Currency,
        OwnerId = o.OwnerId, TeamId = o.TeamId, ClosedAt = o.ClosedAt!.Value, TimeInStage = timeInStage,
    };

    public static OpportunityReopened Reopened(Opportunity o, Stage stage, string previousStatus, string? actorId) => new()
    {
        OrganizationId = o.OrganizationId, ActorId = actorId, OpportunityId = o.Id, Version = o.Version, OccurredAt = o.UpdatedAt,
        PipelineId = o.PipelineId, StageId = stage.Id, StageName = stage.Name, Probability = o.Probability, PreviousStatus = previousStatus,
    };

    public static PipelineChanged PipelineChanged(SalesPipeline pipeline, string? actorId) => new()
    {
        OrganizationId = pipeline.OrganizationId, ActorId = actorId, PipelineId = pipeline.Id, Name = pipeline.Name, IsDefault = pipeline.IsDefault,
        Stages = pipeline.OrderedStages.Select(s => new PipelineStageDefinition(s.Id, s.Name, s.Order, s.Probability, s.RottingDays)).ToList(),
    };
}
