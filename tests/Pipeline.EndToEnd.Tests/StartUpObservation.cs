using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Pipeline.EndToEnd.Tests;

/// <summary>
/// The start of the whole system as an operator's script lives it: poll the gateway's readiness (<c>/health</c>), and
/// the moment it says ready, sign in as a demo user and load the board, once each, without retrying.
/// </summary>
public sealed record StartUpObservation(TimeSpan TimeToReady, HttpStatusCode SignIn, HttpStatusCode Board, string ReadinessBody)
{
    public static async Task<StartUpObservation> WatchAsync(HttpClient gateway, Tokens tokens, Stopwatch clock, CancellationToken cancellationToken)
    {
        string body;
        while (true)
        {
            try
            {
                using var health = await gateway.GetAsync("/health", cancellationToken);
                body = await health.Content.ReadAsStringAsync(cancellationToken);
                if (health.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
                // The gateway itself is not listening yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }

        var ready = clock.Elapsed;
        using var signIn = await tokens.RequestAsync(Tokens.Alice, Tokens.DemoPassword);
        if (!signIn.IsSuccessStatusCode)
        {
            return new StartUpObservation(ready, signIn.StatusCode, 0, body);
        }

        var token = JsonDocument.Parse(await signIn.Content.ReadAsStringAsync(cancellationToken)).RootElement.GetProperty("access_token").GetString();
        using var pipelines = new HttpRequestMessage(HttpMethod.Get, "/api/pipelines");
        pipelines.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var list = await gateway.SendAsync(pipelines, cancellationToken);
        if (!list.IsSuccessStatusCode)
        {
            return new StartUpObservation(ready, signIn.StatusCode, list.StatusCode, body);
        }

        var defaultPipeline = JsonDocument.Parse(await list.Content.ReadAsStringAsync(cancellationToken)).RootElement.EnumerateArray()
            .Single(p => p.GetProperty("isDefault").GetBoolean()).GetProperty("id").GetGuid();
        using var boardRequest = new HttpRequestMessage(HttpMethod.Get, $"/api/pipelines/{defaultPipeline}/board");
        boardRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var board = await gateway.SendAsync(boardRequest, cancellationToken);
        return new StartUpObservation(ready, signIn.StatusCode, board.StatusCode, body);
    }
}
