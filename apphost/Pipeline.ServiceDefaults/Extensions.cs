using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Pipeline.ServiceDefaults;

/// <summary>One call per service: telemetry, health, service discovery, resilience and problem details.</summary>
public static class Extensions
{
    public const string HealthPath = "/health";
    public const string AlivePath = "/alive";

    /// <summary>Health checks tagged with this take part in <c>/alive</c> (the process is running, nothing more).</summary>
    public const string LiveTag = "live";

    /// <summary>Every ActivitySource and Meter of our own and of MassTransit that the exporters collect.</summary>
    public static readonly string[] TelemetrySources = ["Pipeline.*", "MassTransit"];

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            // Retrying a POST that may have reached the server could create a deal twice.
            http.AddStandardResilienceHandler(options => options.Retry.DisableForUnsafeHttpMethods());
            http.AddServiceDiscovery();
        });
        builder.Services.AddPipelineProblemDetails();
        // Clients reach every API through the gateway: the document names no server of its own.
        builder.Services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Servers = [];
                return Task.CompletedTask;
            });
            // Amounts are decimals: documented as such, a generated client keeps them exact instead of taking doubles.
            options.AddSchemaTransformer((schema, context, _) =>
            {
                if (context.JsonTypeInfo.Type == typeof(decimal) || context.JsonTypeInfo.Type == typeof(decimal?))
                {
                    schema.Format = "decimal";
                }

                return Task.CompletedTask;
            });
        });
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // Console and OTLP log records carry the trace and span ids of the request or message being handled.
        builder.Logging.Configure(options =>
            options.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(TelemetrySources))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(TelemetrySources)
                .AddAspNetCoreInstrumentation(options =>
                    options.Filter = context => !IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation(options =>
                    options.FilterHttpRequestMessage = request => !IsProbe(request.RequestUri?.AbsolutePath))
                .AddNpgsql());

        // Aspire injects OTEL_EXPORTER_OTLP_ENDPOINT into every process it starts; Kubernetes sets it too.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>The middleware every service runs first, and the health and OpenAPI endpoints.</summary>
    /// <param name="healthResponse">How <c>/health</c> answers; the status alone by default.</param>
    public static WebApplication UseServiceDefaults(this WebApplication app, Func<HttpContext, HealthReport, Task>? healthResponse = null)
    {
        app.UseProblemDetailsResponses();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapDefaultEndpoints(healthResponse);
        return app;
    }

    /// <summary>
    /// <c>/health</c>: ready to serve (every check: database, broker, ...). <c>/alive</c>: the process runs.
    /// Mapped in every environment: Kubernetes and the YARP gateway probe them in production too.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app, Func<HttpContext, HealthReport, Task>? healthResponse = null)
    {
        var ready = new HealthCheckOptions();
        if (healthResponse is not null)
        {
            ready.ResponseWriter = healthResponse;
        }

        app.MapHealthChecks(HealthPath, ready).AllowAnonymous();
        app.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) })
            .AllowAnonymous();
        app.MapOpenApi().AllowAnonymous();
        return app;
    }

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments(HealthPath) || path.StartsWithSegments(AlivePath);

    private static bool IsProbe(string? path) =>
        path is not null && (path.StartsWith(HealthPath, StringComparison.Ordinal) || path.StartsWith(AlivePath, StringComparison.Ordinal));

    /// <summary>The current trace id, for problem details and log correlation.</summary>
    public static string? CurrentTraceId => Activity.Current?.TraceId.ToString();
}
