using Pipeline.Contracts;
using Pipeline.Messaging.Tenancy;

namespace Pipeline.Automation.Domain;

/// <summary>A stage of one of the organisation's pipelines, as its last <c>PipelineChanged</c> described it.</summary>
public sealed class PipelineStage : ITenantOwned
{
    public Guid StageId { get; init; }

    public Guid OrganizationId { get; init; }

    public Guid PipelineId { get; set; }

    public required string PipelineName { get; set; }

    public bool IsDefaultPipeline { get; set; }

    public required string Name { get; set; }

    public int Order { get; set; }

    public int Probability { get; set; }

    public int RottingDays { get; set; }

    /// <summary>No longer in its pipeline: rules that name it are disabled.</summary>
    public bool Removed { get; set; }

    /// <summary>When the pipeline's definition that set this row was published; an older copy arriving late changes nothing.</summary>
    public DateTimeOffset DefinedAt { get; set; }
}

public static class PipelineStages
{
    /// <summary>
    /// Applies a pipeline's new definition to the stages known for it (<paramref name="known"/>, all of that
    /// pipeline). Returns the stages the definition removed, which rules may name.
    /// </summary>
    public static IReadOnlyList<PipelineStage> Apply(PipelineChanged message, IReadOnlyList<PipelineStage> known, Action<PipelineStage> add)
    {
        if (known.Count > 0 && known.Max(s => s.DefinedAt) > message.OccurredAt)
        {
            return [];
        }

        var removed = new List<PipelineStage>();
        foreach (var stage in known)
        {
            var definition = message.Stages.FirstOrDefault(s => s.Id == stage.StageId);
            if (definition is null)
            {
                if (!stage.Removed)
                {
                    removed.Add(stage);
                }

                stage.Removed = true;
            }

            stage.PipelineName = message.Name;
            stage.IsDefaultPipeline = message.IsDefault;
            stage.DefinedAt = message.OccurredAt;
        }

        foreach (var definition in message.Stages)
        {
            var stage = known.FirstOrDefault(s => s.StageId == definition.Id);
            if (stage is null)
            {
                stage = new PipelineStage
                {
                    StageId = definition.Id, OrganizationId = message.OrganizationId, PipelineName = message.Name, Name = definition.Name,
                };
                add(stage);
            }

            stage.PipelineId = message.PipelineId;
            stage.PipelineName = message.Name;
            stage.IsDefaultPipeline = message.IsDefault;
            stage.Name = definition.Name;
            stage.Order = definition.Order;
            stage.Probability = definition.Probability;
            stage.RottingDays = definition.RottingDays;
            stage.Removed = false;
            stage.DefinedAt = message.OccurredAt;
        }

        return removed;
    }
}
