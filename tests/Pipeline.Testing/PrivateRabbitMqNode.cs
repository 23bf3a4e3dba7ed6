using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Pipeline.Testing;

/// <summary>
/// A RabbitMQ node of a test's own (eng/infra/rabbitmq.sh on a free port), for tests that stop and start the
/// broker: stopping the shared test broker would break every other test running at the same time.
/// </summary>
public sealed class PrivateRabbitMqNode : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private PrivateRabbitMqNode(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
        Control = new RabbitMqControl($"pipeline-{port}@localhost", Path.Combine(directory, "home"));
    }

    public int Port { get; }

    public Uri Uri => new($"amqp://guest:guest@127.0.0.1:{Port}/");

    public RabbitMqControl Control { get; }

    public static async Task<PrivateRabbitMqNode> StartAsync()
    {
        var port = FreePort();
        var directory = Path.Combine(Path.GetTempPath(), $"pipeline-rabbitmq-{port}-{Guid.NewGuid():N}");
        var start = new ProcessStartInfo("bash", [Path.Combine(TestServers.RepositoryRoot, "eng", "infra", "rabbitmq.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["MQ_BASE"] = directory,
                ["MQ_PORT"] = port.ToString(),
                ["MQ_DIST_PORT"] = FreePort().ToString(),
            },
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("rabbitmq-server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var node = new PrivateRabbitMqNode(process, directory, port);
        await node.AwaitStartupAsync();
        return node;
    }

    /// <summary>Stops the broker application; the node stays up so it can be started again (<c>rabbitmqctl stop_app</c>).</summary>
    public Task StopAppAsync() => Control.RunAsync("stop_app");

    public async Task StartAppAsync()
    {
        await Control.RunAsync("start_app");
        await AwaitStartupAsync();
    }

    public async Task<long> MessageCountAsync(string queue)
    {
        var listing = await Control.RunAsync("list_queues", "name", "messages", "--no-table-headers");
        foreach (var line in listing.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var columns = line.Split('\t');
            if (columns.Length == 2 && columns[0] == queue)
            {
                return long.Parse(columns[1]);
            }
        }

        return 0;
    }

    private async Task AwaitStartupAsync()
    {
        // await_startup fails at once until the node has registered with epmd; keep asking.
        await Eventually.Until(async () =>
        {
            try
            {
                await Control.RunAsync(TimeSpan.FromSeconds(60), "await_startup", "--timeout", "60");
                return true;
            }
            catch (InvalidOperationException) when (!_process.HasExited)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(120), $"RabbitMQ node on port {Port} started");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the dying node; the temp directory is cleaned up eventually.
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
