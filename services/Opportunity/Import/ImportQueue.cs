using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Pipeline.Opportunity.Import;

/// <summary>An accepted import waiting for the worker: the job, whose organisation and user it runs for, and the stored file.</summary>
public sealed record ImportWork(Guid JobId, Guid OrganizationId, string ImporterId, string FilePath, ImportOptions Options);

/// <summary>
/// Hands accepted imports from the request to the background worker of this replica, and knows which jobs this
/// replica holds (queued or running) until the worker is done with them, for <see cref="ImportWatch"/>'s heartbeats.
/// </summary>
public sealed class ImportQueue
{
    private readonly Channel<ImportWork> _channel = Channel.CreateUnbounded<ImportWork>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<Guid, ImportWork> _held = new();

    public ChannelReader<ImportWork> Reader => _channel.Reader;

    public ICollection<Guid> HeldJobIds => _held.Keys;

    public void Enqueue(ImportWork work)
    {
        _held[work.JobId] = work;
        if (!_channel.Writer.TryWrite(work))
        {
            _held.TryRemove(work.JobId, out _);
            throw new InvalidOperationException("The import queue is closed.");
        }
    }

    /// <summary>The worker is done with the job (completed, failed or abandoned): this replica no longer holds it.</summary>
    public void Release(ImportWork work) => _held.TryRemove(work.JobId, out _);
}

/// <summary>Settings of section <c>Import</c>.</summary>
public sealed class ImportSettings
{
    /// <summary>Rows per transaction: large enough to amortise a round trip, small enough for steady progress.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>Where uploaded files wait for the worker; each is deleted when its import ends.</summary>
    public string Directory { get; set; } = Path.Combine(Path.GetTempPath(), "pipeline-imports");

    /// <summary>How often a replica says it still holds its imports.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A running import not heard of for this long is failed: its replica stopped without saying so.</summary>
    public TimeSpan StalledAfter { get; set; } = TimeSpan.FromMinutes(2);
}

public static class ImportRegistration
{
    /// <summary>CSV import: the queue from the request to the worker, the worker, and its settings (section <c>Import</c>).</summary>
    public static IHostApplicationBuilder AddOpportunityImport(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<ImportSettings>(builder.Configuration.GetSection("Import"));
        builder.Services.AddSingleton<ImportQueue>();
        builder.Services.AddSingleton<ImportRunner>();
        builder.Services.AddHostedService<ImportWorker>();
        // One instance, so that tests and operators can run a sweep on demand through the same object.
        builder.Services.AddSingleton<ImportWatch>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ImportWatch>());
        return builder;
    }
}
