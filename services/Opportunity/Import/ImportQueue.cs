using System.Threading.Channels;

namespace Pipeline.Opportunities.Import;

/// <summary>An accepted import waiting for the worker: the job, whose organisation and user it runs for, and the stored file.</summary>
public sealed record ImportWork(Guid JobId, Guid OrganizationId, string ImporterId, string FilePath, ImportOptions Options);

/// <summary>Hands accepted imports from the request to the background worker of this replica.</summary>
public sealed class ImportQueue
{
    private readonly Channel<ImportWork> _channel = Channel.CreateUnbounded<ImportWork>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<ImportWork> Reader => _channel.Reader;

    public void Enqueue(ImportWork work)
    {
        if (!_channel.Writer.TryWrite(work))
        {
            throw new InvalidOperationException("The import queue is closed.");
        }
    }
}

/// <summary>Settings of section <c>Import</c>.</summary>
public sealed class ImportSettings
{
    /// <summary>Rows per transaction: large enough to amortise a round trip, small enough for steady progress.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>Where uploaded files wait for the worker; each is deleted when its import ends.</summary>
    public string Directory { get; set; } = Path.Combine(Path.GetTempPath(), "pipeline-imports");
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
        return builder;
    }
}
