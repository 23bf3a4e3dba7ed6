using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Caching.Memory;

namespace Pipeline.Web.Infrastructure;

/// <summary>
/// The signed-in sessions, kept on the server: the cookie carries only a key, and the tickets (with the user's access
/// and refresh tokens) stay here, so tokens never reach the browser and a refreshed token is seen by every tab of the
/// session. In memory: a restart of the web process signs its users out (they sign in again with one click while their
/// identity session lasts); several replicas would need a shared store behind this interface.
/// </summary>
public sealed class ServerSideTickets(IMemoryCache cache, TimeProvider clock) : ITicketStore
{
    /// <summary>
    /// The claim with the session's key, added to the stored principal: the cookie handler puts its own such claim only in
    /// the cookie's slim ticket, not in the principal a request (or a circuit) gets back from the store.
    /// </summary>
    public const string SessionIdClaim = "pipeline:session";

    private static readonly TimeSpan IdleTimeout = TimeSpan.FromHours(12);

    public Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        var key = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        if (ticket.Principal.Identity is System.Security.Claims.ClaimsIdentity identity && !identity.HasClaim(c => c.Type == SessionIdClaim))
        {
            identity.AddClaim(new System.Security.Claims.Claim(SessionIdClaim, key));
        }

        Put(key, ticket);
        return Task.FromResult(key);
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        Put(key, ticket);
        return Task.CompletedTask;
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key) => Task.FromResult(cache.Get<AuthenticationTicket>(Key(key)));

    public Task RemoveAsync(string key)
    {
        cache.Remove(Key(key));
        return Task.CompletedTask;
    }

    private void Put(string key, AuthenticationTicket ticket)
    {
        var options = new MemoryCacheEntryOptions { SlidingExpiration = IdleTimeout };
        if (ticket.Properties.ExpiresUtc is { } expires && expires > clock.GetUtcNow())
        {
            options.AbsoluteExpiration = expires;
        }

        cache.Set(Key(key), ticket, options);
    }

    private static string Key(string key) => "ticket:" + key;
}

/// <summary>Points the cookie handler at the server-side ticket store (resolved from DI, so it shares the app's cache).</summary>
internal sealed class CookieSessionStore(ServerSideTickets tickets) : Microsoft.Extensions.Options.IPostConfigureOptions<CookieAuthenticationOptions>
{
    public void PostConfigure(string? name, CookieAuthenticationOptions options) => options.SessionStore = tickets;
}
