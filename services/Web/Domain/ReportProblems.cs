using ApiException = Pipeline.Web.ApiClients.Reporting.ApiException;
using HttpValidationProblemDetails = Pipeline.Web.ApiClients.Reporting.HttpValidationProblemDetails;
using ProblemDetails = Pipeline.Web.ApiClients.Reporting.ProblemDetails;

namespace Pipeline.Web.Domain;

/// <summary>What the reporting API said was wrong (a bad period, a bad filter), in the words of its problem details.</summary>
public static class ReportProblems
{
    public static string Detail(ApiException exception) => exception switch
    {
        Pipeline.Web.ApiClients.Reporting.ApiException<HttpValidationProblemDetails> { Result: { } problem } =>
            string.Join(" ", problem.Errors?.SelectMany(e => e.Value) ?? []) is { Length: > 0 } messages ? messages : problem.Title ?? "",
        Pipeline.Web.ApiClients.Reporting.ApiException<ProblemDetails> { Result: { } problem } => problem.Detail ?? problem.Title ?? "",
        _ => exception.Message,
    };
}
