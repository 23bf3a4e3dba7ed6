using Pipeline.Contracts;
using Pipeline.Testing;

namespace Pipeline.Reporting.Tests;

/// <summary>
/// Writes the events of deals as the opportunity service would, on days counted from an anchor, so that a test can
/// state its expected figures from those day numbers by hand. Acme's deals are Alice's (team East) unless another
/// organisation and owner are given.
/// </summary>
public sealed class DealScenario(Guid pipelineId, DateTimeOffset anchor, Guid? organizationId = null, string ownerId = DemoUsers.AliceId, Guid? teamId = null)
{
    public Guid OrganizationId { get; } = organizationId ?? DemoUsers.Acme;

    public string OwnerId { get; } = ownerId;

    public Guid? TeamId { get; } = organizationId is null ? teamId ?? DemoUsers.East : teamId;

    public static readonly string[] StageNames = ["S1", "S2", "S3", "S4", "S5"];
    public static readonly int[] Probabilities = [10, 25, 50, 75, 90];
    public static readonly int[] RottingDays = [14, 14, 21, 21, 30];

    public Guid PipelineId { get; } = pipelineId;

    public Guid[] Stages { get; } = StageNames.Select(_ => Guid.NewGuid()).ToArray();

    public List<IntegrationMessage> Events { get; } = [];

    public DateTimeOffset Day(double day) => anchor.AddDays(day);

    public PipelineChanged Pipeline() => new()
    {
        OrganizationId = OrganizationId, PipelineId = PipelineId, Name = $"Scenario {PipelineId:N}", OccurredAt = anchor,
        Stages = Stages.Select((id, i) => new PipelineStageDefinition(id, StageNames[i], i + 1, Probabilities[i], RottingDays[i])).ToList(),
    };

    /// <summary>A deal created on <paramref name="createdDay"/> in the first stage, the scenario's owner's unless another is given.</summary>
    public Deal Create(
        string title, decimal amount, string currency, double createdDay, string? segment = "smb", DateOnly? decision = null,
        string? ownerId = null, Guid? teamId = null) =>
        new(this, title, amount, currency, createdDay, segment, decision, ownerId ?? OwnerId, ownerId is null ? TeamId : teamId);

    public sealed class Deal
    {
        private readonly DealScenario _scenario;
        private long _version = 1;
        private int _stage;
        private DateTimeOffset _enteredStage;
        private readonly string _title;
        private readonly string? _segment;
        private DateOnly? _decision;

        public Deal(
            DealScenario scenario, string title, decimal amount, string currency, double createdDay, string? segment, DateOnly? decision,
            string ownerId, Guid? teamId)
        {
            _scenario = scenario;
            Id = Guid.NewGuid();
            Amount = amount;
            Currency = currency;
            OwnerId = ownerId;
            TeamId = teamId;
            _title = title;
            _segment = segment;
            _decision = decision;
            _enteredStage = scenario.Day(createdDay);
            scenario.Events.Add(new OpportunityCreated
            {
                OrganizationId = _scenario.OrganizationId, OpportunityId = Id, Version = 1, OccurredAt = _enteredStage, PipelineId = scenario.PipelineId,
                StageId = scenario.Stages[0], StageName = "S1", Title = title, OwnerId = OwnerId, TeamId = TeamId,
                Amount = amount, Currency = currency, Probability = Probabilities[0], Segment = segment, Source = "inbound",
                ExpectedDecisionDate = decision, CreatedAt = _enteredStage,
            });
        }

        public Guid Id { get; }

        public decimal Amount { get; private set; }

        public string Currency { get; }

        public string OwnerId { get; }

        public Guid? TeamId { get; }

        /// <summary>Moves to stage number <paramref name="stage"/> (1–5) on <paramref name="day"/>.</summary>
        public Deal Move(int stage, double day)
        {
            var at = _scenario.Day(day);
            _scenario.Events.Add(new StageChanged
            {
                OrganizationId = _scenario.OrganizationId, OpportunityId = Id, Version = ++_version, OccurredAt = at, PipelineId = _scenario.PipelineId,
                FromStageId = _scenario.Stages[_stage], FromStageName = StageNames[_stage], ToStageId = _scenario.Stages[stage - 1],
                ToStageName = StageNames[stage - 1], Probability = Probabilities[stage - 1], Amount = Amount, Currency = Currency,
                OwnerId = OwnerId, TeamId = TeamId, TimeInPreviousStage = at - _enteredStage,
            });
            _stage = stage - 1;
            _enteredStage = at;
            return this;
        }

        public Deal Win(double day)
        {
            _scenario.Events.Add(new OpportunityWon
            {
                OrganizationId = _scenario.OrganizationId, OpportunityId = Id, Version = ++_version, OccurredAt = _scenario.Day(day), PipelineId = _scenario.PipelineId,
                StageId = _scenario.Stages[_stage], Amount = Amount, Currency = Currency, OwnerId = OwnerId, TeamId = TeamId,
                ClosedAt = _scenario.Day(day), TimeInStage = _scenario.Day(day) - _enteredStage,
            });
            return this;
        }

        public Deal Lose(double day, string reason)
        {
            _scenario.Events.Add(new OpportunityLost
            {
                OrganizationId = _scenario.OrganizationId, OpportunityId = Id, Version = ++_version, OccurredAt = _scenario.Day(day), PipelineId = _scenario.PipelineId,
                StageId = _scenario.Stages[_stage], Reason = reason, Amount = Amount, Currency = Currency, OwnerId = OwnerId,
                TeamId = TeamId, ClosedAt = _scenario.Day(day), TimeInStage = _scenario.Day(day) - _enteredStage,
            });
            return this;
        }

        /// <summary>Moves the expected decision date (later: a push; earlier: a pull) on <paramref name="day"/>.</summary>
        public Deal PushDecision(DateOnly from, DateOnly to, double day)
        {
            _scenario.Events.Add(new DecisionDateChanged
            {
                OrganizationId = _scenario.OrganizationId, OpportunityId = Id, Version = ++_version, OccurredAt = _scenario.Day(day), PreviousDate = from, NewDate = to,
            });
            _decision = to;
            return this;
        }

        /// <summary>Changes the amount on <paramref name="day"/>, as an edit of the deal does (OpportunityUpdated).</summary>
        public Deal ChangeAmount(decimal amount, double day)
        {
            _scenario.Events.Add(new OpportunityUpdated
            {
                OrganizationId = _scenario.OrganizationId, OpportunityId = Id, Version = ++_version, OccurredAt = _scenario.Day(day),
                Changes = [new FieldChange("amount", Amount.ToString(System.Globalization.CultureInfo.InvariantCulture), amount.ToString(System.Globalization.CultureInfo.InvariantCulture))],
                Title = _title, OwnerId = OwnerId, TeamId = TeamId, Amount = amount, Currency = Currency, Probability = Probabilities[_stage],
                ExpectedDecisionDate = _decision, Segment = _segment, Source = "inbound",
            });
            Amount = amount;
            return this;
        }

        /// <summary>Reopens a won or lost deal (<paramref name="previousStatus"/>) into stage number <paramref name="stage"/> on <paramref name="day"/>.</summary>
        public Deal Reopen(string previousStatus, int stage, double day)
        {
            _scenario.Events.Add(new OpportunityReopened
            {
                OrganizationId = _scenario.OrganizationId, OpportunityId = Id, Version = ++_version, OccurredAt = _scenario.Day(day), PipelineId = _scenario.PipelineId,
                StageId = _scenario.Stages[stage - 1], StageName = StageNames[stage - 1], Probability = Probabilities[stage - 1], PreviousStatus = previousStatus,
            });
            _stage = stage - 1;
            _enteredStage = _scenario.Day(day);
            return this;
        }
    }
}
