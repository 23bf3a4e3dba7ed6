using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace Pipeline.Web.Infrastructure;

/// <summary>
/// The signed-in user's access token for calling the APIs, refreshed with the refresh token shortly before it expires
/// and written back to the server-side session, so that a salesperson's session lasts the working day without a
/// failed save. Refreshes of one session are serialised: the issuer rotates refresh tokens, and two tabs refreshing at
/// once with the same one would have the second refused.
/// </summary>
public sealed partial class UserTokens(
    ServerSideTickets tickets, IOptionsMonitor<OpenIdConnectOptions> oidc, TimeProvider clock, ILogger<UserTokens> logger)
{
    /// <summary>A token with less than this left is refreshed before use: enough for the slowest call to reach the API.</summary>
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new();

    /// <summary>The access token of the session of <paramref name="user"/>; null when the session is gone (sign in again).</summary>
    public async Task<string?> AccessTokenAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (user.FindFirst(ServerSideTickets.SessionIdClaim)?.Value is not { } sessionId)
        {
            return null;
        }

        var gate = _locks.GetOrAdd(sessionId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var ticket = await tickets.RetrieveAsync(sessionId);
            if (ticket is null)
            {
                return null;
            }

            var accessToken = ticket.Properties.GetTokenValue("access_token");
            var expiresAt = DateTimeOffset.TryParse(ticket.Properties.GetTokenValue("expires_at"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
                ? at : DateTimeOffset.MinValue;
            if (accessToken is not null && expiresAt - clock.GetUtcNow() > RefreshMargin)
            {
                return accessToken;
            }

            var refreshed = await RefreshAsync(ticket.Properties.GetTokenValue("refresh_token"), cancellationToken);
            if (refreshed is null)
            {
                return expiresAt > clock.GetUtcNow() ? accessToken : null;
            }

            ticket.Properties.UpdateTokenValue("access_token", refreshed.Value.AccessToken);
            if (refreshed.Value.RefreshToken is { } rotated)
            {
                ticket.Properties.UpdateTokenValue("refresh_token", rotated);
            }

            ticket.Properties.UpdateTokenValue("expires_at",
                clock.GetUtcNow().AddSeconds(refreshed.Value.ExpiresIn).ToString("o", CultureInfo.InvariantCulture));
            await tickets.RenewAsync(sessionId, ticket);
            LogRefreshed(logger, user.FindFirst("sub")?.Value);
            return refreshed.Value.AccessToken;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<(string AccessToken, string? RefreshToken, int ExpiresIn)?> RefreshAsync(string? refreshToken, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(refreshToken))
        {
            return null;
        }

        var options = oidc.Get(OpenIdConnectDefaults.AuthenticationScheme);
        var configuration = await options.ConfigurationManager!.GetConfigurationAsync(cancellationToken);
        using var response = await options.Backchannel.PostAsync(configuration.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = options.ClientId!,
            ["refresh_token"] = refreshToken,
        }), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            LogRefreshFailed(logger, (int)response.StatusCode);
            return null;
        }

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var root = body.RootElement;
        return (root.GetProperty("access_token").GetString()!,
            root.TryGetProperty("refresh_token", out var rotated) ? rotated.GetString() : null,
            root.TryGetProperty("expires_in", out var expiresIn) ? expiresIn.GetInt32() : 3600);
    }

    [LoggerMessage(LogLevel.Information, "Refreshed the access token of user {UserId}")]
    private static partial void LogRefreshed(ILogger logger, string? userId);

    [LoggerMessage(LogLevel.Warning, "The issuer refused to refresh an access token ({StatusCode}): the user signs in again")]
    private static partial void LogRefreshFailed(ILogger logger, int statusCode);
}
