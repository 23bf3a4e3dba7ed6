using System.Net.Http.Headers;
using Microsoft.AspNetCore.Components.Authorization;
using Pipeline.Web.ApiClients.Automation;
using Pipeline.Web.ApiClients.Identity;
using Pipeline.Web.ApiClients.Notification;
using Pipeline.Web.ApiClients.Opportunity;
using Pipeline.Web.ApiClients.Reporting;

namespace Pipeline.Web.Infrastructure;

/// <summary>
/// The generated API clients of one circuit (one open tab), each call through the gateway with the signed-in user's
/// current access token. A client per call: the token may have been refreshed since the last one. Answers are read
/// as text, so that an error's problem details stay in the exception for the page to show (Domain/Problems.cs).
/// </summary>
public sealed class PipelineApi(IHttpClientFactory http, AuthenticationStateProvider authentication, UserTokens tokens)
{
    /// <summary>The named HttpClient whose base address is the gateway.</summary>
    public const string Gateway = "gateway";

    /// <summary>The same, without the resilience handler's timeouts: for the live stream, which stays open.</summary>
    public const string GatewayStream = "gateway-stream";

    public async Task<OpportunityApi> OpportunityAsync(CancellationToken cancellationToken = default) =>
        new(await AuthorizedAsync(Gateway, cancellationToken)) { ReadResponseAsString = true };

    public async Task<IdentityApi> IdentityAsync(CancellationToken cancellationToken = default) =>
        new(await AuthorizedAsync(Gateway, cancellationToken)) { ReadResponseAsString = true };

    public async Task<AutomationApi> AutomationAsync(CancellationToken cancellationToken = default) =>
        new(await AuthorizedAsync(Gateway, cancellationToken)) { ReadResponseAsString = true };

    public async Task<NotificationApi> NotificationAsync(CancellationToken cancellationToken = default) =>
        new(await AuthorizedAsync(Gateway, cancellationToken)) { ReadResponseAsString = true };

    public async Task<ReportingApi> ReportingAsync(CancellationToken cancellationToken = default) =>
        new(await AuthorizedAsync(Gateway, cancellationToken)) { ReadResponseAsString = true };

    /// <summary>An HttpClient for the gateway with the user's token (the live stream, the CSV export).</summary>
    public async Task<HttpClient> AuthorizedAsync(string client, CancellationToken cancellationToken = default)
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        var token = await tokens.AccessTokenAsync(user, cancellationToken) ?? throw new SessionExpiredException();
        var gateway = http.CreateClient(client);
        gateway.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return gateway;
    }
}

/// <summary>The server-side session is gone (the web process restarted, or the refresh token was refused): sign in again.</summary>
public sealed class SessionExpiredException() : Exception("The session has expired: sign in again.");
