using System.Data.Common;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pipeline.ServiceDefaults;

/// <summary>
/// Every error leaves a service as an RFC 9457 problem details document carrying the trace id, so a user's
/// report leads an SRE straight to the trace in the dashboard.
/// </summary>
public static class ProblemDetailsDefaults
{
    public static IServiceCollection AddPipelineProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            if (Extensions.CurrentTraceId is { } traceId)
            {
                context.ProblemDetails.Extensions["traceId"] = traceId;
            }
        });
        services.AddExceptionHandler<KnownExceptionHandler>();
        return services;
    }

    /// <summary>Exception handler and status code pages: an empty 4xx/5xx body becomes problem details.</summary>
    public static WebApplication UseProblemDetailsResponses(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}

/// <summary>
/// Exceptions with a known meaning for the caller. Malformed input that reaches the framework (unreadable JSON,
/// a body too large) is the client's mistake: 400/413 with the reason. A database that is briefly unreachable
/// is nobody's mistake: 503 with Retry-After, so clients retry instead of reporting a bug.
/// </summary>
internal sealed partial class KnownExceptionHandler(IProblemDetailsService problemDetails, ILogger<KnownExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = Classify(exception);
        if (status == 0)
        {
            return false;
        }

        LogHandled(logger, status >= 500 ? LogLevel.Warning : LogLevel.Information, exception, status, detail);
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "5";
        }

        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    private static (int Status, string? Title, string? Detail) Classify(Exception exception)
    {
        if (exception is BadHttpRequestException bad)
        {
            return (bad.StatusCode, "The request is not valid.", bad.InnerException is JsonException json ? json.Message : bad.Message);
        }

        if (exception is JsonException invalidJson)
        {
            return (StatusCodes.Status400BadRequest, "The request is not valid.", invalidJson.Message);
        }

        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is DbException { IsTransient: true } or TimeoutException)
            {
                return (StatusCodes.Status503ServiceUnavailable, "Temporarily unavailable", "The service's database did not answer; retry in a few seconds.");
            }
        }

        return (0, null, null);
    }

    [LoggerMessage(Message = "Answered {Status}: {Detail}")]
    private static partial void LogHandled(ILogger logger, LogLevel level, Exception exception, int status, string? detail);
}
