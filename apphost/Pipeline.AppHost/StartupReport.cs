using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Pipeline.AppHost;

/// <summary>
/// What the run command says while the system starts: every few seconds the resources still starting, then one line,
/// <c>ready: http://localhost:8080 (dashboard http://localhost:18888)</c>, once the gateway is ready (a user can sign in
/// and load the board). Stopped before that (Ctrl+C, SIGTERM), it says in one line that start-up was interrupted.
/// </summary>
internal sealed class StartupReport(ResourceNotificationService notifications, IHostApplicationLifetime lifetime)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, string> _states = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static string ReadyLine => $"ready: {ServiceResources.PublicUrl.TrimEnd('/')} (dashboard {DashboardUrl})";

    private static string DashboardUrl =>
        (Environment.GetEnvironmentVariable("ASPNETCORE_URLS") ?? "http://localhost:18888").Split(';')[0].TrimEnd('/');

    /// <summary>Registers the report, from the moment resources start, and the ready line of <paramref name="gateway"/>.</summary>
    public static void Add<T>(IDistributedApplicationBuilder builder, IResourceBuilder<T> gateway) where T : IResource
    {
        builder.Services.AddSingleton<StartupReport>();
        // Before the orchestrator creates the resources: hosted services would only start once it has.
        builder.Eventing.Subscribe<BeforeStartEvent>((start, _) =>
        {
            start.Services.GetRequiredService<StartupReport>().Start();
            return Task.CompletedTask;
        });
        gateway.OnResourceReady((_, ready, _) =>
        {
            ready.Services.GetRequiredService<StartupReport>().Ready();
            return Task.CompletedTask;
        });
    }

    private void Ready()
    {
        if (_ready.TrySetResult())
        {
            Console.WriteLine(ReadyLine);
        }
    }

    private void Start()
    {
        var stopping = lifetime.ApplicationStopping;
        stopping.Register(() =>
        {
            if (!_ready.Task.IsCompleted)
            {
                Console.WriteLine("[apphost] start-up interrupted: stopping what had started.");
            }
        });
        _ = Task.Run(() => WatchAsync(stopping), stopping);
        _ = Task.Run(() => ReportAsync(stopping), stopping);
    }

    private async Task ReportAsync(CancellationToken stopping)
    {
        string? last = null;
        while (!_ready.Task.IsCompleted && !stopping.IsCancellationRequested)
        {
            await Task.WhenAny(_ready.Task, Task.Delay(Interval, stopping));
            string starting;
            lock (_states)
            {
                starting = string.Join(", ", _states.Where(s => s.Value != "ready").Select(s => $"{s.Key} ({s.Value})").Order());
            }

            if (!_ready.Task.IsCompleted && !stopping.IsCancellationRequested && starting.Length > 0 && starting != last)
            {
                Console.WriteLine($"[apphost] starting: {starting}");
                last = starting;
            }
        }
    }

    private async Task WatchAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (var update in notifications.WatchAsync(stopping))
            {
                var snapshot = update.Snapshot;
                if (snapshot.IsHidden)
                {
                    continue;
                }

                var state = snapshot.State?.Text ?? KnownResourceStates.NotStarted;
                var settled = state == KnownResourceStates.Finished && snapshot.ExitCode is 0 or null
                    || state == KnownResourceStates.Running && snapshot.HealthStatus is null or HealthStatus.Healthy;
                lock (_states)
                {
                    _states[update.Resource.Name] = settled ? "ready" : state == KnownResourceStates.Running ? "not healthy yet" : state.ToLowerInvariant();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}

internal static class StartupReportExtensions
{
    /// <summary>
    /// Runs until Ctrl+C or SIGTERM. A stop during start-up cancels the start: that is no failure, and <see cref="StartupReport"/>
    /// has said it in one line (the host's own "Hosting failed to start" log is silenced in appsettings.json for that reason;
    /// any other failure still ends the process with its exception).
    /// </summary>
    public static async Task RunUntilStoppedAsync(this DistributedApplication app)
    {
        try
        {
            await app.RunAsync();
        }
        catch (OperationCanceledException)
        {
            // Interrupted start-up: everything started so far was stopped by the host.
        }
    }
}
