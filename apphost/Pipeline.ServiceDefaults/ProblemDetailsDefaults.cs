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
        services.AddExceptionHandler<BadRequestExceptionHandler>();
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
/// Malformed input that reaches the framework (unreadable JSON, a body too large, a bad route value) is the
/// client's mistake: it answers 400/413 with a readable reason instead of a 500.
/// </summary>
internal sealed partial class BadRequestExceptionHandler(IProblemDetailsService problemDetails, ILogger<BadRequestExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, detail) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, bad.InnerException is JsonException json ? json.Message : bad.Message),
            JsonException json => (StatusCodes.Status400BadRequest, json.Message),
            _ => (0, null),
        };
        if (status == 0)
        {
            return false;
        }

        LogBadRequest(logger, status, detail);
        context.Response.StatusCode = status;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = "The request is not valid.", Detail = detail },
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected a malformed request with {Status}: {Detail}")]
    private static partial void LogBadRequest(ILogger logger, int status, string? detail);
}
