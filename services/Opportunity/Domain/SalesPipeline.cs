using Pipeline.Messaging.Tenancy;

namespace Pipeline.Opportunity.Domain;

/// <summary>
/// A sales pipeline: ordered stages an opportunity moves through. An organisation has several; one is the default.
/// Won and lost are outcomes of an opportunity, not stages.
/// </summary>
public sealed class SalesPipeline : ITenantOwned
{
    public Guid Id { get; init; }

    public Guid OrganizationId { get; init; }

    public required string Name { get; set; }

    public bool IsDefault { get; set; }

    public List<Stage> Stages { get; init; } = [];

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Stages still in use, in pipeline order.</summary>
    public IEnumerable<Stage> OrderedStages => Stages.Where(s => !s.Removed).OrderBy(s => s.Order);

    /// <summary>The stages of SPEC §5 every organisation starts with.</summary>
    public static SalesPipeline Default(Guid organizationId, DateTimeOffset now)
    {
        var pipeline = new SalesPipeline { Id = Guid.NewGuid(), OrganizationId = organizationId, Name = "Default", IsDefault = true, CreatedAt = now, UpdatedAt = now };
        (string Name, int Probability, int RottingDays)[] stages =
        [
            ("Qualification", 10, 14), ("Discovery meeting", 25, 14), ("Proposal", 50, 21), ("Negotiation & follow-up", 75, 21), ("Decision", 90, 30),
        ];
        for (var i = 0; i < stages.Length; i++)
        {
            pipeline.Stages.Add(new Stage
            {
                Id = Guid.NewGuid(), OrganizationId = organizationId, PipelineId = pipeline.Id, Name = stages[i].Name,
                Order = i + 1, Probability = stages[i].Probability, RottingDays = stages[i].RottingDays,
            });
        }

        return pipeline;
    }
}

public sealed class Stage : ITenantOwned
{
    public Guid Id { get; init; }

    public Guid OrganizationId { get; init; }

    public Guid PipelineId { get; init; }

    public required string Name { get; set; }

    public int Order { get; set; }

    /// <summary>Chance of winning, 0–100, given to opportunities in this stage unless they override it.</summary>
    public int Probability { get; set; }

    /// <summary>Days without a stage change, update or completed activity after which a deal is stale.</summary>
    public int RottingDays { get; set; }

    /// <summary>A removed stage keeps its id for the history of the deals that went through it.</summary>
    public bool Removed { get; set; }
}
