using System.Diagnostics;

namespace Pipeline.Testing;

/// <summary>Runs <c>rabbitmqctl</c> against one of our private nodes (its own node name and Erlang cookie).</summary>
public sealed class RabbitMqControl(string node, string home)
{
    public Task<string> RunAsync(params string[] arguments) => RunAsync(TimeSpan.FromSeconds(60), arguments);

    public async Task<string> RunAsync(TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("/usr/lib/rabbitmq/bin/rabbitmqctl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["HOME"] = home },
        };
        foreach (var argument in new[] { "-q", "-n", node }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("rabbitmqctl did not start");
        using var cancellation = new CancellationTokenSource(timeout);
        var output = process.StandardOutput.ReadToEndAsync(cancellation.Token);
        var error = process.StandardError.ReadToEndAsync(cancellation.Token);
        await process.WaitForExitAsync(cancellation.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}");
        }

        return await output;
    }
}
