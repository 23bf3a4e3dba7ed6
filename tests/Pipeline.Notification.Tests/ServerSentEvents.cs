using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Pipeline.Testing;

namespace Pipeline.Notification.Tests;

public sealed record ServerSentEvent(string? Id, string Event, string Data, DateTimeOffset ReceivedAt)
{
    public JsonElement Json => JsonDocument.Parse(Data).RootElement;
}

/// <summary>A client of the live stream, as a browser's EventSource reads it: events and comments, as they arrive.</summary>
public sealed class ServerSentEvents : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<ServerSentEvent> _events = [];
    private readonly List<string> _comments = [];
    private readonly Task _reading;

    private ServerSentEvents(HttpResponseMessage response)
    {
        _response = response;
        _reading = ReadAsync();
    }

    public HttpResponseMessage Response => _response;

    /// <summary>Set when the server ended the stream.</summary>
    public bool Ended { get; private set; }

    public IReadOnlyList<ServerSentEvent> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public IReadOnlyList<string> Comments
    {
        get
        {
            lock (_events)
            {
                return [.. _comments];
            }
        }
    }

    public static async Task<ServerSentEvents> OpenAsync(HttpClient client, string? lastEventId = null, string path = "/api/notifications/stream")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return new ServerSentEvents(response);
    }

    public Task<IReadOnlyList<ServerSentEvent>> WaitForAsync(Func<ServerSentEvent, bool> match, int count = 1, TimeSpan? timeout = null) =>
        Eventually.Until(() => Task.FromResult<IReadOnlyList<ServerSentEvent>>(Events.Where(match).ToList()), found => found.Count >= count,
            timeout ?? TimeSpan.FromSeconds(15), $"{count} matching stream event(s)");

    private async Task ReadAsync()
    {
        if (!_response.IsSuccessStatusCode)
        {
            Ended = true;
            return;
        }

        try
        {
            using var reader = new StreamReader(await _response.Content.ReadAsStreamAsync(_stop.Token), Encoding.UTF8);
            string? id = null, type = null;
            var data = new StringBuilder();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data.Length > 0)
                    {
                        lock (_events)
                        {
                            _events.Add(new ServerSentEvent(id, type ?? "message", data.ToString(), DateTimeOffset.UtcNow));
                        }
                    }

                    id = type = null;
                    data.Clear();
                }
                else if (line.StartsWith(':'))
                {
                    lock (_events)
                    {
                        _comments.Add(line[1..].Trim());
                    }
                }
                else if (line.StartsWith("id:", StringComparison.Ordinal))
                {
                    id = line[3..].Trim();
                }
                else if (line.StartsWith("event:", StringComparison.Ordinal))
                {
                    type = line[6..].Trim();
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    data.Append(line[5..].TrimStart());
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or HttpRequestException)
        {
        }

        Ended = true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        await _reading;
        _stop.Dispose();
    }
}
