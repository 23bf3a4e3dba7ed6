using Pipeline.Contracts;
using Pipeline.Messaging.Tenancy;

namespace Pipeline.Automation.Domain;

public static class DealStatus
{
    public const string Open = "open";
    public const string Won = "won";
    public const string Lost = "lost";
}

/// <summary>
/// The service's own view of an opportunity, built from the opportunity service's events only. Events arrive at
/// least once and in any order: each group of fields remembers the version of the event that last set it, and an
/// event only sets a group it is newer for, so a late or repeated event never overwrites a newer value.
/// </summary>
public sealed class Deal : ITenantOwned
{
    public Guid OpportunityId { get; init; }

    public Guid OrganizationId { get; init; }

    public Guid PipelineId { get; set; }

    public Guid StageId { get; set; }

    public string? StageName { get; set; }

    public string? Title { get; set; }

    public string? AccountName { get; set; }

    public string? ContactName { get; set; }

    public string? ContactEmail { get; set; }

    public string? OwnerId { get; set; }

    public Guid? TeamId { get; set; }

    public decimal Amount { get; set; }

    public string? Currency { get; set; }

    public int Probability { get; set; }

    public DateOnly? ExpectedDecisionDate { get; set; }

    public string? Source { get; set; }

    public string? Segment { get; set; }

    public string Status { get; set; } = DealStatus.Open;

    public bool Imported { get; set; }

    public DateTimeOffset? CreatedAt { get; set; }

    public DateTimeOffset? StageEnteredAt { get; set; }

    /// <summary>The last stage change, update or completed activity: the stale-deal clock starts here.</summary>
    public DateTimeOffset LastTouchedAt { get; set; }

    /// <summary>The highest version seen.</summary>
    public long Version { get; set; }

    public long DetailsVersion { get; set; }

    public long MoneyVersion { get; set; }

    public long StageVersion { get; set; }

    public long StatusVersion { get; set; }

    public long DecisionDateVersion { get; set; }

    public long ProbabilityVersion { get; set; }

    public bool IsOpen => Status == DealStatus.Open;

    public static Deal Unknown(Guid organizationId, Guid opportunityId) => new() { OrganizationId = organizationId, OpportunityId = opportunityId };

    public void Apply(OpportunityEvent change)
    {
        var version = change.Version;
        switch (change)
        {
            case OpportunityCreated created:
                if (version > DetailsVersion)
                {
                    DetailsVersion = version;
                    Title = created.Title;
                    AccountName = created.AccountName;
                    ContactName = created.ContactName;
                    ContactEmail = created.ContactEmail;
                    Source = created.Source;
                    Segment = created.Segment;
                }

                SetMoney(version, created.Amount, created.Currency, created.OwnerId, created.TeamId);
                SetStage(version, created.PipelineId, created.StageId, created.StageName, created.Probability, created.CreatedAt);
                SetStatus(version, DealStatus.Open);
                SetDecisionDate(version, created.ExpectedDecisionDate);
                CreatedAt = created.CreatedAt;
                Imported = created.Imported;
                Touch(created.Imported ? created.CreatedAt : created.OccurredAt);
                break;
            case OpportunityUpdated updated:
                if (version > DetailsVersion)
                {
                    DetailsVersion = version;
                    Title = updated.Title;
                    AccountName = updated.AccountName;
                    ContactName = updated.ContactName;
                    ContactEmail = updated.ContactEmail;
                    Source = updated.Source;
                    Segment = updated.Segment;
                }

                SetProbability(version, updated.Probability);

                SetMoney(version, updated.Amount, updated.Currency, updated.OwnerId, updated.TeamId);
                SetDecisionDate(version, updated.ExpectedDecisionDate);
                Touch(updated.OccurredAt);
                break;
            case DecisionDateChanged moved:
                SetDecisionDate(version, moved.NewDate);
                Touch(moved.OccurredAt);
                break;
            case StageChanged staged:
                SetMoney(version, staged.Amount, staged.Currency, staged.OwnerId, staged.TeamId);
                SetStage(version, staged.PipelineId, staged.ToStageId, staged.ToStageName, staged.Probability, staged.OccurredAt);
                Touch(staged.OccurredAt);
                break;
            case OpportunityWon won:
                SetMoney(version, won.Amount, won.Currency, won.OwnerId, won.TeamId);
                SetStatus(version, DealStatus.Won);
                break;
            case OpportunityLost lost:
                SetMoney(version, lost.Amount, lost.Currency, lost.OwnerId, lost.TeamId);
                SetStatus(version, DealStatus.Lost);
                break;
            case OpportunityReopened reopened:
                SetStage(version, reopened.PipelineId, reopened.StageId, reopened.StageName, reopened.Probability, reopened.OccurredAt);
                SetStatus(version, DealStatus.Open);
                Touch(reopened.OccurredAt);
                break;
        }

        Version = Math.Max(Version, version);
    }

    /// <summary>Moves the stale-deal clock forward (never back: events may arrive out of order).</summary>
    public void Touch(DateTimeOffset at)
    {
        if (at > LastTouchedAt)
        {
            LastTouchedAt = at;
        }
    }

    private void SetMoney(long version, decimal amount, string currency, string ownerId, Guid? teamId)
    {
        if (version <= MoneyVersion)
        {
            return;
        }

        MoneyVersion = version;
        Amount = amount;
        Currency = currency;
        OwnerId = ownerId;
        TeamId = teamId;
    }

    private void SetStage(long version, Guid pipelineId, Guid stageId, string stageName, int probability, DateTimeOffset enteredAt)
    {
        if (version <= StageVersion)
        {
            return;
        }

        StageVersion = version;
        PipelineId = pipelineId;
        StageId = stageId;
        StageName = stageName;
        StageEnteredAt = enteredAt;
        SetProbability(version, probability);
    }

    private void SetProbability(long version, int probability)
    {
        if (version > ProbabilityVersion)
        {
            ProbabilityVersion = version;
            Probability = probability;
        }
    }

    private void SetStatus(long version, string status)
    {
        if (version > StatusVersion)
        {
            StatusVersion = version;
            Status = status;
        }
    }

    private void SetDecisionDate(long version, DateOnly? date)
    {
        if (version > DecisionDateVersion)
        {
            DecisionDateVersion = version;
            ExpectedDecisionDate = date;
        }
    }
}

public static class QuoteStatus
{
    public const string Sent = "sent";
    public const string Accepted = "accepted";
    public const string Declined = "declined";
    public const string Expired = "expired";
}

/// <summary>
/// A sent quote, as far as automation needs it. Quote events carry no version, but a quote only moves forward
/// (sent, then answered or expired): an answer that arrives before the quote's <c>QuoteSent</c> is kept.
/// </summary>
public sealed class DealQuote : ITenantOwned
{
    public Guid QuoteId { get; init; }

    public Guid OrganizationId { get; init; }

    public Guid OpportunityId { get; set; }

    public string? Number { get; set; }

    public decimal Amount { get; set; }

    public string? Currency { get; set; }

    public DateOnly? ValidUntil { get; set; }

    public string? ContactEmail { get; set; }

    /// <summary>Null until the quote's <c>QuoteSent</c> or its answer has arrived.</summary>
    public string? Status { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    public DateTimeOffset? AnsweredAt { get; set; }

    public bool IsAwaitingAnswer => Status == QuoteStatus.Sent;

    public void Apply(QuoteEvent change)
    {
        OpportunityId = change.OpportunityId;
        Number = change.QuoteNumber;
        switch (change)
        {
            case QuoteSent sent:
                Amount = sent.Amount;
                Currency = sent.Currency;
                ValidUntil = sent.ValidUntil;
                ContactEmail = sent.ContactEmail;
                SentAt = sent.SentAt;
                Status ??= QuoteStatus.Sent;
                break;
            case QuoteAccepted:
                Answer(QuoteStatus.Accepted, change.OccurredAt);
                break;
            case QuoteDeclined:
                Answer(QuoteStatus.Declined, change.OccurredAt);
                break;
            case QuoteExpired:
                Answer(QuoteStatus.Expired, change.OccurredAt);
                break;
        }
    }

    private void Answer(string status, DateTimeOffset at)
    {
        if (Status is null or QuoteStatus.Sent)
        {
            Status = status;
            AnsweredAt = at;
        }
    }
}

/// <summary>A follow-up on a deal: an open one due in the future keeps the deal from going stale.</summary>
public sealed class DealActivity : ITenantOwned
{
    public Guid ActivityId { get; init; }

    public Guid OrganizationId { get; init; }

    public Guid OpportunityId { get; set; }

    public DateTimeOffset? DueAt { get; set; }

    public bool Done { get; set; }

    public void Apply(ActivityScheduled scheduled)
    {
        OpportunityId = scheduled.OpportunityId;
        DueAt = scheduled.DueAt;
    }

    public void Apply(ActivityCompleted completed)
    {
        OpportunityId = completed.OpportunityId;
        Done = true;
    }
}
