using System.Net;
using System.Net.Sockets;

namespace Pipeline.Notification.Webhooks;

/// <summary>
/// The HTTP client webhook deliveries go out through. The address is checked where it matters, on the address the
/// socket actually connects to after resolution (a name that resolves to 127.0.0.1 is loopback, whatever it looks
/// like; a name whose DNS changes after the subscription was made is checked again), redirects are not followed,
/// and neither the connection, the headers nor anything else may take long or be large.
/// </summary>
public static class WebhookClient
{
    /// <summary>Largest response headers accepted from a receiver, in KiB.</summary>
    public const int MaxResponseHeadersKilobytes = 32;

    public static SocketsHttpHandler CreateHandler(OutboundOptions options, int maxConnectionsPerServer = 16) => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        MaxResponseHeadersLength = MaxResponseHeadersKilobytes,
        // Connections are reused, but not past a DNS change for long.
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        MaxConnectionsPerServer = maxConnectionsPerServer,
        ConnectCallback = (context, cancellationToken) => ConnectAsync(context, options, cancellationToken),
    };

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, OutboundOptions options, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        string? refusal = null;
        foreach (var address in addresses)
        {
            if (OutboundAddresses.Refusal(address, options) is { } reason)
            {
                refusal ??= $"{host} is {address}, {reason}: webhooks may not reach it";
                continue;
            }

            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                if (address == addresses[^1])
                {
                    throw;
                }
            }
        }

        throw new OutboundAddressRefusedException(refusal ?? $"{host} has no address");
    }

    /// <summary>
    /// One client for the process, outside the HTTP client factory: the service defaults' resilience handler (its
    /// retries, and a circuit breaker that one failing receiver would open for every subscription) has no place here.
    /// </summary>
    public static HttpClient Create(OutboundOptions options, int maxConnectionsPerServer) =>
        new(CreateHandler(options, maxConnectionsPerServer)) { Timeout = Timeout.InfiniteTimeSpan };
}
