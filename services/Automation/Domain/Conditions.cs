using System.Text.Json;

namespace Pipeline.Automation.Domain;

/// <summary>
/// One condition checked against a deal: whether it holds, the value compared (as a person reads it), and a sentence
/// saying so. <see cref="Undecidable"/> when it cannot be checked at all (an amount without an exchange rate).
/// </summary>
public sealed record ConditionOutcome(RuleCondition Condition, bool Passed, bool Undecidable, string Actual, string Expected, string Explanation);

/// <summary>Checks a rule's conditions on a deal (or the quote that triggered it), the same way live and in a simulation.</summary>
public static class Conditions
{
    public static IReadOnlyList<ConditionOutcome> Check(
        IReadOnlyList<RuleCondition> conditions, Deal deal, DealQuote? quote, OrganizationView view, DateTimeOffset at) =>
        conditions.Select(c => Check(c, deal, quote, view, at)).ToList();

    /// <summary>The first condition that does not hold, as a sentence; null when all hold.</summary>
    public static ConditionOutcome? FirstFailure(IReadOnlyList<ConditionOutcome> outcomes) => outcomes.FirstOrDefault(o => !o.Passed);

    public static ConditionOutcome Check(RuleCondition condition, Deal deal, DealQuote? quote, OrganizationView view, DateTimeOffset at)
    {
        var field = condition.Field;
        if (ConditionFields.IsNumber(field))
        {
            return CheckNumber(condition, deal, quote, view, at);
        }

        var actual = field switch
        {
            ConditionFields.Currency => quote?.Currency ?? deal.Currency,
            ConditionFields.Segment => deal.Segment,
            ConditionFields.Source => deal.Source,
            ConditionFields.Title => deal.Title,
            ConditionFields.Pipeline => deal.PipelineId.ToString(),
            ConditionFields.Stage => deal.StageId.ToString(),
            ConditionFields.Team => deal.TeamId?.ToString(),
            ConditionFields.Owner => deal.OwnerId,
            _ => null,
        };
        var expected = RuleDefinition.Values(condition.Value).ToList();
        var passed = condition.Operator switch
        {
            Operators.Eq => Same(actual, expected[0]),
            Operators.Ne => !Same(actual, expected[0]),
            Operators.In => expected.Any(e => Same(actual, e)),
            Operators.Contains => actual is not null && actual.Contains(expected[0], StringComparison.OrdinalIgnoreCase),
            _ => false,
        };
        var actualText = Describe(field, actual, view);
        var expectedText = string.Join(", ", expected.Select(e => Describe(field, e, view)));
        return Outcome(condition, passed, actualText, expectedText);
    }

    private static ConditionOutcome CheckNumber(RuleCondition condition, Deal deal, DealQuote? quote, OrganizationView view, DateTimeOffset at)
    {
        var expected = Numbers(condition.Value);
        decimal actual;
        string actualText;
        if (condition.Field == ConditionFields.Probability)
        {
            actual = deal.Probability;
            actualText = $"{actual} %";
        }
        else
        {
            var (amount, currency) = quote is not null ? (quote.Amount, quote.Currency ?? "") : (deal.Amount, deal.Currency ?? "");
            if (view.ToOrganizationCurrency(amount, currency, at) is not { } converted)
            {
                var day = view.Calendar.DayOf(at);
                return new ConditionOutcome(condition, false, true, OrganizationView.Money(amount, currency), ExpectedNumbers(condition, expected, view),
                    $"{condition.Field} {OrganizationView.Money(amount, currency)} cannot be compared: no {currency} rate to {view.Currency} on {day:yyyy-MM-dd}");
            }

            actual = converted;
            actualText = currency == view.Currency
                ? OrganizationView.Money(converted, view.Currency)
                : $"{OrganizationView.Money(Math.Round(converted, 2), view.Currency)} ({OrganizationView.Money(amount, currency)})";
        }

        var passed = condition.Operator switch
        {
            Operators.Eq => actual == expected[0],
            Operators.Ne => actual != expected[0],
            Operators.Lt => actual < expected[0],
            Operators.Le => actual <= expected[0],
            Operators.Gt => actual > expected[0],
            Operators.Ge => actual >= expected[0],
            Operators.In => expected.Contains(actual),
            _ => false,
        };
        return Outcome(condition, passed, actualText, ExpectedNumbers(condition, expected, view));
    }

    private static ConditionOutcome Outcome(RuleCondition condition, bool passed, string actual, string expected)
    {
        var comparison = $"{Operators.Words(condition.Operator)} {expected}";
        var explanation = passed ? $"{condition.Field} is {actual}, {comparison}" : $"{condition.Field} is {actual}, not {comparison}";
        return new ConditionOutcome(condition, passed, false, actual, expected, explanation);
    }

    private static string ExpectedNumbers(RuleCondition condition, IReadOnlyList<decimal> expected, OrganizationView view) =>
        string.Join(", ", expected.Select(e => condition.Field == ConditionFields.Amount ? OrganizationView.Money(e, view.Currency) : $"{e} %"));

    public static IReadOnlyList<decimal> Numbers(JsonElement value) => value.ValueKind == JsonValueKind.Array
        ? value.EnumerateArray().Select(v => v.GetDecimal()).ToList()
        : [value.GetDecimal()];

    private static bool Same(string? actual, string expected) =>
        actual is not null && (Guid.TryParse(actual, out var a) && Guid.TryParse(expected, out var e)
            ? a == e
            : string.Equals(actual.Trim(), expected.Trim(), StringComparison.OrdinalIgnoreCase));

    private static string Describe(string field, string? value, OrganizationView view)
    {
        if (value is null or "")
        {
            return "(none)";
        }

        return field switch
        {
            ConditionFields.Stage when Guid.TryParse(value, out var stage) => view.StageName(stage),
            ConditionFields.Pipeline when Guid.TryParse(value, out var pipeline) =>
                view.Stages.Values.FirstOrDefault(s => s.PipelineId == pipeline)?.PipelineName ?? value,
            ConditionFields.Team when Guid.TryParse(value, out var team) => view.TeamName(team),
            ConditionFields.Owner => view.UserName(value),
            _ => value,
        };
    }
}
