using Pipeline.Web.ApiClients.Opportunity;
using HttpValidationProblemDetails = Pipeline.Web.ApiClients.Opportunity.HttpValidationProblemDetails;
using ProblemDetails = Pipeline.Web.ApiClients.Opportunity.ProblemDetails;

namespace Pipeline.Web.Domain;

/// <summary>What the API said was wrong, in the words of its problem details.</summary>
public static class Problems
{
    /// <summary>The field-level messages of a 400 or 422, by field name (camelCase, as the API names them).</summary>
    public static IDictionary<string, List<string>> Fields(ApiException exception) => exception switch
    {
        ApiException<HttpValidationProblemDetails> { Result.Errors: { } errors } => errors,
        _ => new Dictionary<string, List<string>>(),
    };

    public static string Detail(ApiException exception) => exception switch
    {
        ApiException<HttpValidationProblemDetails> { Result: { } problem } =>
            string.Join(" ", problem.Errors?.SelectMany(e => e.Value) ?? []) is { Length: > 0 } messages ? messages : problem.Title ?? "",
        ApiException<ProblemDetails> { Result: { } problem } => problem.Detail ?? problem.Title ?? "",
        _ => exception.Message,
    };
}
