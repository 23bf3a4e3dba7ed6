using System.Net.Sockets;
using Microsoft.AspNetCore.Mvc;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Pipeline.Gateway;

/// <summary>
/// When a service cannot be reached, the caller gets a problem details document saying which service and
/// what to do, at once: 503 with Retry-After when the service is down (no healthy destination, connection
/// refused), 504 when it did not answer in time, 502 when its answer was broken.
/// </summary>
internal sealed partial class ForwardingErrorProblemDetails(RequestDelegate next, IProblemDetailsService problemDetails, ILogger<ForwardingErrorProblemDetails> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);

        var error = context.GetForwarderErrorFeature();
        if (error is null || context.Response.HasStarted)
        {
            return;
        }

        var service = context.GetReverseProxyFeature().Cluster.Config.ClusterId;
        var (status, title) = Classify(error.Error, error.Exception);
        LogForwardingError(logger, service, error.Error, status);
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "5";
        }

        await problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = status,
                Title = title,
                Detail = $"The {service} service could not handle the request ({error.Error}). Retry later; if it persists, check the service's health in the dashboard.",
                Extensions = { ["service"] = service },
            },
        });
    }

    private static (int Status, string Title) Classify(ForwarderError error, Exception? exception) => error switch
    {
        ForwarderError.NoAvailableDestinations => (StatusCodes.Status503ServiceUnavailable, "Service unavailable"),
        ForwarderError.RequestTimedOut => (StatusCodes.Status504GatewayTimeout, "Service timed out"),
        ForwarderError.Request when IsConnectionRefused(exception) => (StatusCodes.Status503ServiceUnavailable, "Service unavailable"),
        _ => (StatusCodes.Status502BadGateway, "Bad gateway"),
    };

    private static bool IsConnectionRefused(Exception? exception)
    {
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Forwarding to {Service} failed ({Error}); answered {Status}")]
    private static partial void LogForwardingError(ILogger logger, string service, ForwarderError error, int status);
}
