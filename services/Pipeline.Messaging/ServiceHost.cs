using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Pipeline.Messaging;

/// <summary>Seeds reference data after the migrations (default pipelines, demo users, ...); must be idempotent.</summary>
public interface IDatabaseSeeder
{
    Task SeedAsync(CancellationToken cancellationToken);
}

public static partial class ServiceHost
{
    public const string MigrateCommand = "migrate";

    /// <summary>
    /// Runs the service; or, started with the argument <c>migrate</c>, applies its EF Core migrations and seeds,
    /// then exits. The migration step runs once before the replicas start (an Aspire resource the service waits
    /// for, a Kubernetes Job), never inside every API process.
    /// </summary>
    public static async Task RunServiceAsync<TContext>(this WebApplication app, string[] args) where TContext : ServiceDbContext
    {
        if (args.Contains(MigrateCommand, StringComparer.OrdinalIgnoreCase))
        {
            await app.MigrateDatabaseAsync<TContext>(CancellationToken.None);
            return;
        }

        await app.RunAsync();
    }

    public static async Task MigrateDatabaseAsync<TContext>(this WebApplication app, CancellationToken cancellationToken)
        where TContext : ServiceDbContext
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ServiceHost).FullName!);
        // The server may still be starting when this step runs: keep trying for a minute.
        var untilTheDatabaseAnswers = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<NpgsqlException>(exception => exception.IsTransient),
                MaxRetryAttempts = 30,
                Delay = TimeSpan.FromSeconds(2),
                BackoffType = DelayBackoffType.Constant,
                OnRetry = retry =>
                {
                    LogWaiting(logger, retry.Outcome.Exception!, retry.AttemptNumber + 1);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        await untilTheDatabaseAnswers.ExecuteAsync(async token =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            await db.Database.MigrateAsync(token);
            foreach (var seeder in scope.ServiceProvider.GetServices<IDatabaseSeeder>())
            {
                await seeder.SeedAsync(token);
            }
        }, cancellationToken);
        await DeclareTopologyAsync(app.Services, cancellationToken);
        LogMigrated(logger, typeof(TContext).Name);
    }

    /// <summary>
    /// Declares the service's queues and their bindings on the broker, as part of the migration step: every
    /// service's step completes before any service starts, so no event published at start-up (identity's
    /// directory, for one) falls on an exchange that nobody's queue is bound to yet.
    /// </summary>
    private static async Task DeclareTopologyAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        if (services.GetService<IBusControl>() is not { } bus)
        {
            return;
        }

        await bus.StartAsync(cancellationToken);
        try
        {
            await bus.WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromMinutes(2));
        }
        finally
        {
            await bus.StopAsync(cancellationToken);
        }
    }

    /// <summary>Options for <c>dotnet ef</c> at design time, matching those the running service uses.</summary>
    public static DbContextOptions<TContext> DesignTimeOptions<TContext>() where TContext : ServiceDbContext =>
        new DbContextOptionsBuilder<TContext>()
            .UseNpgsql("Host=localhost;Database=design_time")
            .UseSnakeCaseNamingConvention()
            .Options;

    [LoggerMessage(Level = LogLevel.Information, Message = "Database of {Context} is migrated and seeded")]
    private static partial void LogMigrated(ILogger logger, string context);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database not reachable yet (attempt {Attempt}); retrying")]
    private static partial void LogWaiting(ILogger logger, Exception exception, int attempt);
}
