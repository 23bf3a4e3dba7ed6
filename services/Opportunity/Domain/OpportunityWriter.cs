using System.Globalization;
using Pipeline.Contracts;
using Pipeline.Opportunity.Infrastructure;

namespace Pipeline.Opportunity.Domain;

/// <summary>
/// Every change to an opportunity goes through here, whoever asks (an API request, an import, a consumer): the
/// version increases by one, the history records who changed what, and the SPEC §4 events join the same
/// transaction through the outbox. The caller saves. A change happens now, or, for an imported deal's journey,
/// at the time given (<c>at</c>).
/// </summary>
public sealed class OpportunityWriter(OpportunityDbContext db, TimeProvider clock)
{
    public sealed record NewOpportunity(
        string Title, string? AccountName, string? ContactName, string? ContactEmail, decimal Amount, string Currency,
        DateOnly? ExpectedDecisionDate, string? Source, string? Segment, int? Probability);

    public Opportunity Create(
        NewOpportunity input, SalesPipeline pipeline, Stage stage, string ownerId, Guid? teamId, string? actorId,
        DateTimeOffset? createdAt = null, bool imported = false)
    {
        var now = clock.GetUtcNow();
        var created = createdAt ?? now;
        var opportunity = new Opportunity
        {
            Id = Guid.NewGuid(),
            OrganizationId = pipeline.OrganizationId,
            PipelineId = pipeline.Id,
            StageId = stage.Id,
            Title = input.Title,
            AccountName = input.AccountName,
            ContactName = input.ContactName,
            ContactEmail = input.ContactEmail,
            OwnerId = ownerId,
            TeamId = teamId,
            Amount = input.Amount,
            Currency = input.Currency,
            Probability = input.Probability ?? stage.Probability,
            ProbabilityOverridden = input.Probability is not null,
            ExpectedDecisionDate = input.ExpectedDecisionDate,
            Source = input.Source,
            Segment = input.Segment,
            CreatedAt = created,
            UpdatedAt = created,
            StageEnteredAt = created,
            LastActivityAt = created,
            Version = 1,
        };
        db.Opportunities.Add(opportunity);
        db.History.Add(Entry(opportunity, "status", "status", null, OpportunityStatus.Open.Value, actorId, created));
        db.Publish(OpportunityEvents.Created(opportunity, stage, actorId, imported));
        return opportunity;
    }

    /// <summary>Applies field changes (only those that differ); returns what changed.</summary>
    public IReadOnlyList<FieldChange> Update(Opportunity opportunity, Action<Opportunity> change, string? actorId, DateTimeOffset? at = null)
    {
        var before = Snapshot(opportunity);
        var previousDate = opportunity.ExpectedDecisionDate;
        change(opportunity);
        var after = Snapshot(opportunity);
        var changes = before.Keys
            .Where(field => before[field] != after[field])
            .Select(field => new FieldChange(field, before[field], after[field]))
            .ToList();
        if (changes.Count == 0)
        {
            return changes;
        }

        var now = Touch(opportunity, at);
        foreach (var fieldChange in changes)
        {
            db.History.Add(Entry(opportunity, "field", fieldChange.Field, fieldChange.OldValue, fieldChange.NewValue, actorId, now));
        }

        db.Publish(OpportunityEvents.Updated(opportunity, changes, actorId));
        if (previousDate != opportunity.ExpectedDecisionDate)
        {
            db.Publish(OpportunityEvents.DecisionDateChanged(opportunity, previousDate, actorId));
        }

        return changes;
    }

    public void MoveToStage(Opportunity opportunity, Stage from, Stage to, string? actorId, DateTimeOffset? at = null)
    {
        var now = Touch(opportunity, at);
        var timeInStage = Max(now - opportunity.StageEnteredAt);
        opportunity.StageId = to.Id;
        opportunity.StageEnteredAt = now;
        if (!opportunity.ProbabilityOverridden)
        {
            opportunity.Probability = to.Probability;
        }

        db.History.Add(new HistoryEntry
        {
            OrganizationId = opportunity.OrganizationId, OpportunityId = opportunity.Id, Version = opportunity.Version, Kind = "stage",
            Field = "stage", OldValue = from.Name, NewValue = to.Name, FromStageId = from.Id, ToStageId = to.Id,
            TimeInPreviousStage = timeInStage, ActorId = actorId, OccurredAt = now,
        });
        db.Publish(OpportunityEvents.StageChanged(opportunity, from, to, timeInStage, actorId));
    }

    public void Win(Opportunity opportunity, string? actorId, DateTimeOffset? closedAt = null)
    {
        var now = Touch(opportunity);
        opportunity.Status = OpportunityStatus.Won;
        opportunity.ClosedAt = closedAt ?? now;
        opportunity.LostReason = null;
        db.History.Add(Entry(opportunity, "status", "status", OpportunityStatus.Open.Value, OpportunityStatus.Won.Value, actorId, now));
        db.Publish(OpportunityEvents.Won(opportunity, Max(opportunity.ClosedAt.Value - opportunity.StageEnteredAt), actorId));
    }

    public void Lose(Opportunity opportunity, string reason, string? actorId, DateTimeOffset? closedAt = null)
    {
        var now = Touch(opportunity);
        opportunity.Status = OpportunityStatus.Lost;
        opportunity.ClosedAt = closedAt ?? now;
        opportunity.LostReason = reason;
        db.History.Add(Entry(opportunity, "status", "status", OpportunityStatus.Open.Value, OpportunityStatus.Lost.Value, actorId, now));
        db.Publish(OpportunityEvents.Lost(opportunity, Max(opportunity.ClosedAt.Value - opportunity.StageEnteredAt), actorId));
    }

    public void Reopen(Opportunity opportunity, Stage stage, string? actorId)
    {
        var now = Touch(opportunity);
        var previous = opportunity.Status;
        opportunity.Status = OpportunityStatus.Open;
        opportunity.ClosedAt = null;
        opportunity.LostReason = null;
        opportunity.StageId = stage.Id;
        opportunity.StageEnteredAt = now;
        if (!opportunity.ProbabilityOverridden)
        {
            opportunity.Probability = stage.Probability;
        }

        db.History.Add(Entry(opportunity, "status", "status", previous.Value, OpportunityStatus.Open.Value, actorId, now));
        db.Publish(OpportunityEvents.Reopened(opportunity, stage, previous.Value, actorId));
    }

    private DateTimeOffset Touch(Opportunity opportunity, DateTimeOffset? at = null)
    {
        var now = at ?? clock.GetUtcNow();
        opportunity.Version++;
        opportunity.UpdatedAt = now;
        opportunity.LastActivityAt = now;
        return now;
    }

    private static TimeSpan Max(TimeSpan span) => span < TimeSpan.Zero ? TimeSpan.Zero : span;

    private static HistoryEntry Entry(Opportunity o, string kind, string field, string? oldValue, string? newValue, string? actorId, DateTimeOffset at) => new()
    {
        OrganizationId = o.OrganizationId, OpportunityId = o.Id, Version = o.Version, Kind = kind, Field = field,
        OldValue = oldValue, NewValue = newValue, ActorId = actorId, OccurredAt = at,
    };

    private static Dictionary<string, string?> Snapshot(Opportunity o) => new()
    {
        ["title"] = o.Title,
        ["accountName"] = o.AccountName,
        ["contactName"] = o.ContactName,
        ["contactEmail"] = o.ContactEmail,
        ["amount"] = o.Amount.ToString("0.##", CultureInfo.InvariantCulture),
        ["currency"] = o.Currency,
        ["probability"] = o.Probability.ToString(CultureInfo.InvariantCulture),
        ["expectedDecisionDate"] = o.ExpectedDecisionDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["source"] = o.Source,
        ["segment"] = o.Segment,
        ["ownerId"] = o.OwnerId,
        ["teamId"] = o.TeamId?.ToString(),
    };
}
