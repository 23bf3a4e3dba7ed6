using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Pipeline.Contracts;
using Pipeline.Messaging;

namespace Pipeline.Automation.Infrastructure;

/// <summary>
/// The organisation's recorded events, in the order the opportunity service wrote them (<c>GET /api/opportunity/events</c>),
/// read through service discovery with the caller's token, page by page. The standard resilience handler on every
/// HttpClient retries a page that failed transiently and times out one that hangs.
/// </summary>
public sealed class OpportunityHistory(IHttpClientFactory http)
{
    public const string ClientName = "opportunity";
    public const int PageSize = 5000;

    public async IAsyncEnumerable<IntegrationMessage> ReadAsync(string bearerToken, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var client = http.CreateClient(ClientName);
        string? after = null;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/opportunity/events?limit={PageSize}" + (after is null ? "" : $"&after={after}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            var page = await response.Content.ReadFromJsonAsync<HistoryPage>(MessageSerialization.Options, cancellationToken)
                ?? throw new HttpRequestException("The event history answered an empty page.");
            foreach (var item in page.Items)
            {
                if (MessageSerialization.ResolveType($"{typeof(IntegrationMessage).Namespace}.{item.Type}") is { } type
                    && item.Message.Deserialize(type, MessageSerialization.Options) is IntegrationMessage message)
                {
                    yield return message;
                }
            }

            after = page.NextCursor;
        }
        while (after is not null);
    }

    private sealed record HistoryItem(long Sequence, string Type, JsonElement Message);

    private sealed record HistoryPage(IReadOnlyList<HistoryItem> Items, string? NextCursor);
}
