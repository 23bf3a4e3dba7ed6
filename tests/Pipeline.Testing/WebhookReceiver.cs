using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Pipeline.Testing;

/// <summary>A delivery as the receiver got it: the raw body and the headers.</summary>
public sealed record ReceivedDelivery(string Path, byte[] Body, string? Event, string? DeliveryId, string? Signature, DateTimeOffset At)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A real HTTP receiver (Kestrel on loopback) standing in for a customer's webhook endpoint. Each path answers
/// what the test scripts: a sequence of status codes (the last one repeats), optionally slowly.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Behaviour> _scripts = new();
    private readonly ConcurrentQueue<ReceivedDelivery> _received = new();
    private WebApplication? _app;

    public int Port { get; private set; }

    public Uri Url(string path) => new($"http://127.0.0.1:{Port}/{path.TrimStart('/')}");

    public IReadOnlyList<ReceivedDelivery> Received(string path) => _received.Where(r => r.Path == "/" + path.TrimStart('/')).ToList();

    public static async Task<WebhookReceiver> StartAsync(int port = 0)
    {
        var receiver = new WebhookReceiver();
        await receiver.ListenAsync(port);
        return receiver;
    }

    /// <summary>Answers <paramref name="statuses"/> in turn (the last repeats), each after <paramref name="delay"/>; with a body of <paramref name="bodyBytes"/>.</summary>
    public void Script(string path, IEnumerable<int> statuses, TimeSpan? delay = null, int bodyBytes = 0, TimeSpan? retryAfter = null) =>
        _scripts["/" + path.TrimStart('/')] = new Behaviour([.. statuses], delay ?? TimeSpan.Zero, bodyBytes, retryAfter);

    /// <summary>Stops listening (the port refuses connections) until <see cref="RestartAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    public Task RestartAsync() => ListenAsync(Port);

    private async Task ListenAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            var path = context.Request.Path.Value ?? "/";
            _received.Enqueue(new ReceivedDelivery(path, body.ToArray(), context.Request.Headers["X-Pipeline-Event"], context.Request.Headers["X-Pipeline-Delivery"],
                context.Request.Headers["X-Pipeline-Signature"], DateTimeOffset.UtcNow));
            var script = _scripts.GetValueOrDefault(path) ?? new Behaviour([200], TimeSpan.Zero, 0, null);
            var status = script.Next();
            if (script.Delay > TimeSpan.Zero)
            {
                await Task.Delay(script.Delay, context.RequestAborted);
            }

            context.Response.StatusCode = status;
            if (script.RetryAfter is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = ((int)retryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)'x');
            for (var written = 0; written < script.BodyBytes; written += chunk.Length)
            {
                await context.Response.Body.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, script.BodyBytes - written)), context.RequestAborted);
            }
        });
        await app.StartAsync();
        Port = new Uri(app.Urls.First()).Port;
        _app = app;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private sealed class Behaviour(int[] statuses, TimeSpan delay, int bodyBytes, TimeSpan? retryAfter)
    {
        private int _calls;

        public TimeSpan Delay { get; } = delay;

        public int BodyBytes { get; } = bodyBytes;

        public TimeSpan? RetryAfter { get; } = retryAfter;

        public int Next() => statuses[Math.Min(Interlocked.Increment(ref _calls) - 1, statuses.Length - 1)];
    }
}
