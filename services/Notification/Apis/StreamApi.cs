using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Pipeline.Notification.Streaming;
using Pipeline.ServiceDefaults;

namespace Pipeline.Notification.Apis;

/// <summary>
/// <c>GET /api/notifications/stream</c>: server-sent events, live. <c>event: notification</c> for each new inbox item
/// of the caller, <c>event: opportunity</c> for each change to a deal they may read; each with an <c>id:</c> to
/// resume from (<c>Last-Event-ID</c>). The token is checked when the stream opens, and the stream ends when it
/// expires (or the replica stops): the client reconnects with a fresh one and loses nothing.
/// </summary>
public static class StreamApi
{
    public static IEndpointRouteBuilder MapStreamApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/notifications/stream", Open).WithName("OpenStream")
            .WithTags("Notifications")
            .RequireAuthorization(InboxAccess.Policy)
            .WithSummary("Live notifications and deal changes (text/event-stream); resumes after Last-Event-ID.")
            .Produces(StatusCodes.Status200OK, typeof(string), "text/event-stream")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    private static IResult Open(HttpContext context, CurrentUser caller, StreamHub hub, IOptions<StreamOptions> options, NotificationMetrics metrics, TimeProvider clock)
    {
        var header = context.Request.Headers["Last-Event-ID"].ToString();
        long? lastEventId = null;
        if (header.Length > 0)
        {
            if (!long.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return Problems.Invalid("Last-Event-ID", "The id of the last event received, as the stream gave it (a whole number).");
            }

            lastEventId = parsed;
        }

        var viewer = new StreamViewer(caller.Id, caller.TeamId, caller.IsAdmin);
        var expires = TokenExpiry(context, clock);
        return new ServerSentEventsStream(hub, caller.OrganizationId, viewer, lastEventId, expires, options.Value, metrics, clock);
    }

    /// <summary>The access token's <c>exp</c>: the stream may not outlive the token that opened it.</summary>
    private static DateTimeOffset TokenExpiry(HttpContext context, TimeProvider clock) =>
        long.TryParse(context.User.FindFirst("exp")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : clock.GetUtcNow().AddHours(1);

    private sealed class ServerSentEventsStream(
        StreamHub hub, Guid organizationId, StreamViewer viewer, long? lastEventId, DateTimeOffset expires, StreamOptions options,
        NotificationMetrics metrics, TimeProvider clock) : IResult
    {
        private const int ReplayPage = 500;

        public async Task ExecuteAsync(HttpContext context)
        {
            var response = context.Response;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache, no-store";
            // nginx and similar proxies buffer responses unless told not to.
            response.Headers["X-Accel-Buffering"] = "no";
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

            var lifetime = expires - clock.GetUtcNow();
            if (lifetime <= TimeSpan.Zero)
            {
                return;
            }

            // A replica that stops ends its streams at once rather than holding its shutdown until they time out: the
            // clients reconnect, to another replica, from their Last-Event-ID.
            var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
            ending.CancelAfter(lifetime);
            var cancellationToken = ending.Token;
            using var subscription = await hub.SubscribeAsync(organizationId, viewer, lastEventId, cancellationToken);
            metrics.StreamOpened();
            try
            {
                // Reconnect after 3 s when the connection drops; the first bytes also tell proxies the stream is alive.
                await response.WriteAsync("retry: 3000\n\n", cancellationToken);
                await response.Body.FlushAsync(cancellationToken);
                var last = subscription.Start;
                while (last < subscription.LiveAfter)
                {
                    var page = await hub.ReadAsync(organizationId, last, subscription.LiveAfter, ReplayPage, cancellationToken);
                    if (page.Count == 0)
                    {
                        break;
                    }

                    await WriteAsync(response, page, cancellationToken);
                    last = page[^1].Position;
                }

                last = Math.Max(last, subscription.LiveAfter);
                await response.Body.FlushAsync(cancellationToken);
                await RelayLiveAsync(response, subscription, last, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The client left, its token expired or this replica is stopping: the stream ends; the client
                // reconnects if it wants more.
            }
            finally
            {
                metrics.StreamClosed();
            }
        }

        private async Task RelayLiveAsync(HttpResponse response, StreamSubscription subscription, long last, CancellationToken cancellationToken)
        {
            var batch = new List<LiveStreamItem>();
            while (true)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                idle.CancelAfter(options.KeepAliveInterval);
                bool more;
                try
                {
                    more = await subscription.Live.WaitToReadAsync(idle.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    await response.WriteAsync(": keep-alive\n\n", cancellationToken);
                    await response.Body.FlushAsync(cancellationToken);
                    continue;
                }

                if (!more)
                {
                    return; // overflowed: the client reconnects with its Last-Event-ID and replays the rest
                }

                batch.Clear();
                while (subscription.Live.TryRead(out var item))
                {
                    if (item.Position > last)
                    {
                        batch.Add(item);
                        last = item.Position;
                    }
                }

                if (await WriteAsync(response, batch, cancellationToken))
                {
                    await response.Body.FlushAsync(cancellationToken);
                }
            }
        }

        /// <summary>Writes what the viewer may read of <paramref name="items"/>; false when that was nothing.</summary>
        private async Task<bool> WriteAsync(HttpResponse response, IReadOnlyList<LiveStreamItem> items, CancellationToken cancellationToken)
        {
            var text = new StringBuilder();
            var now = clock.GetUtcNow();
            foreach (var item in items.Where(viewer.CanRead))
            {
                // The data is one line of JSON (the serializer writes no line breaks), as SSE requires.
                text.Append("id: ").Append(item.Position.ToString(CultureInfo.InvariantCulture)).Append('\n')
                    .Append("event: ").Append(item.Type).Append('\n')
                    .Append("data: ").Append(item.Data).Append("\n\n");
                metrics.StreamEventSent(item.Type, now - item.CreatedAt);
            }

            if (text.Length == 0)
            {
                return false;
            }

            await response.WriteAsync(text.ToString(), cancellationToken);
            return true;
        }
    }
}
