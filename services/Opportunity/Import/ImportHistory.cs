using System.Text.Json;
using System.Text.Json.Serialization;
using Pipeline.Messaging.Organizations;
using Pipeline.Opportunity.Domain;

namespace Pipeline.Opportunity.Import;

/// <summary>
/// One dated step of a deal's life before the migration, from the <c>history</c> column: exactly one of a stage
/// reached, an expected decision date set, a quote sent (and maybe answered), or an activity (and maybe done).
/// </summary>
public sealed record HistoryStep(
    DateTimeOffset At, string? Stage = null, DateOnly? DecisionDate = null, HistoryQuote? Quote = null, HistoryActivity? Activity = null);

/// <param name="Answer"><c>accepted</c> or <c>declined</c> at <paramref name="AnsweredAt"/>; null while unanswered.</param>
public sealed record HistoryQuote(
    decimal Amount, string? Currency = null, DateOnly? ValidUntil = null, string? Answer = null, DateTimeOffset? AnsweredAt = null, string? Reason = null);

public sealed record HistoryActivity(string Type, string Subject, DateTimeOffset? DueAt = null, DateTimeOffset? DoneAt = null);

/// <summary>
/// The <c>history</c> column of an import: a JSON array of <see cref="HistoryStep"/>s, so that a migrated deal keeps
/// its journey (stage moves, decision-date pushes, quotes, activities) and the funnel, the time in stage, the slipped
/// and stale lists describe what really happened. Each step gives the value from its time on: before its first stage
/// step a deal is in the pipeline's first stage, before its first decision-date step it has no decision date (a step
/// at the creation instant gives the value it was created with). The last stage and decision date of the history are
/// the row's <c>stage</c> and <c>expectedDecisionDate</c>. Steps are in time order, between the creation and the
/// close (or now).
/// </summary>
public static class ImportHistory
{
    public const int MaxSteps = 200;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>The steps of <paramref name="text"/>, checked against the deal; adds every problem to <paramref name="fail"/>.</summary>
    public static IReadOnlyList<HistoryStep> Read(
        string text, SalesPipeline pipeline, Stage finalStage, DateOnly? finalDecision, string dealCurrency, DateTimeOffset createdAt,
        DateTimeOffset end, Action<string> fail)
    {
        if (text.Length == 0)
        {
            return [];
        }

        HistoryStep[]? steps;
        try
        {
            steps = JsonSerializer.Deserialize<HistoryStep[]>(text, Json);
        }
        catch (JsonException exception)
        {
            fail($"not a JSON array of steps ({exception.Message.Split(" Path:")[0]})");
            return [];
        }

        if (steps is null || steps.Length > MaxSteps)
        {
            fail($"a JSON array of at most {MaxSteps} steps");
            return [];
        }

        var previous = createdAt;
        string? lastStage = null;
        DateOnly? lastDecision = null;
        var decided = false;
        for (var i = 0; i < steps.Length; i++)
        {
            var step = steps[i];
            void Problem(string message) => fail($"step {i + 1}: {message}");
            var kinds = new object?[] { step.Stage, step.DecisionDate, step.Quote, step.Activity }.Count(k => k is not null);
            if (kinds != 1)
            {
                Problem("exactly one of stage, decisionDate, quote or activity");
                continue;
            }

            if (step.At < previous || step.At > end)
            {
                Problem(step.At < createdAt ? "before the deal was created" : step.At > end ? "after the deal was closed, or in the future" : "out of time order");
                continue;
            }

            previous = step.At;
            if (step.Stage is { } stage)
            {
                if (pipeline.OrderedStages.All(s => !string.Equals(s.Name.Trim(), stage.Trim(), StringComparison.OrdinalIgnoreCase)))
                {
                    Problem($"no stage named '{stage}' in the pipeline '{pipeline.Name}'");
                }

                lastStage = stage.Trim();
            }
            else if (step.DecisionDate is { } decision)
            {
                if (decision < DateOnly.FromDateTime(createdAt.UtcDateTime))
                {
                    Problem("a decision date before the deal was created");
                }

                (lastDecision, decided) = (decision, true);
            }
            else if (step.Quote is { } quote)
            {
                var money = new Dictionary<string, string[]>();
                Apis.OpportunitiesApi.ValidateMoney(quote.Amount, quote.Currency ?? dealCurrency, money, required: true);
                if (money.Count > 0 || (quote.Currency is not null && !Currencies.IsKnown(quote.Currency)))
                {
                    Problem("a quote needs an amount of at most two decimals and an ISO 4217 currency");
                }

                if (quote.Answer is not (null or QuoteStatus.Accepted or QuoteStatus.Declined)
                    || (quote.Answer is null) != (quote.AnsweredAt is null)
                    || quote.AnsweredAt < step.At || quote.AnsweredAt > end)
                {
                    Problem("a quote's answer is accepted or declined, with an answeredAt between its sending and the close");
                }
            }
            else if (step.Activity is { } activity)
            {
                if (!ActivityTypes.All.Contains(activity.Type) || activity.Subject.Trim().Length is 0 or > Apis.ActivitiesApi.SubjectMaxLength
                    || activity.DoneAt < step.At || activity.DoneAt > end)
                {
                    Problem($"an activity has a type ({string.Join(", ", ActivityTypes.All)}), a subject, and is done (doneAt) between its scheduling and the close");
                }
            }
        }

        if (lastStage is not null && !string.Equals(lastStage, finalStage.Name.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            fail($"the last stage of the history ('{lastStage}') is not the row's stage ('{finalStage.Name}')");
        }

        if (decided && lastDecision != finalDecision)
        {
            fail($"the last decision date of the history ({lastDecision:yyyy-MM-dd}) is not the row's expectedDecisionDate ({finalDecision:yyyy-MM-dd})");
        }

        return steps;
    }

    /// <summary>The stage a deal with this history was created in.</summary>
    public static Stage CreatedIn(IReadOnlyList<HistoryStep> history, SalesPipeline pipeline, DateTimeOffset createdAt, Stage finalStage)
    {
        if (!history.Any(s => s.Stage is not null))
        {
            return finalStage;
        }

        var first = history.FirstOrDefault(s => s.Stage is not null && s.At == createdAt);
        return first is null ? pipeline.OrderedStages.First() : StageNamed(pipeline, first.Stage!);
    }

    /// <summary>The decision date a deal with this history was created with.</summary>
    public static DateOnly? CreatedWithDecision(IReadOnlyList<HistoryStep> history, DateTimeOffset createdAt, DateOnly? finalDecision) =>
        !history.Any(s => s.DecisionDate is not null) ? finalDecision : history.FirstOrDefault(s => s.DecisionDate is not null && s.At == createdAt)?.DecisionDate;

    public static Stage StageNamed(SalesPipeline pipeline, string name) =>
        pipeline.OrderedStages.First(s => string.Equals(s.Name.Trim(), name.Trim(), StringComparison.OrdinalIgnoreCase));
}
