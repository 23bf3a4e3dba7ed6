using Microsoft.AspNetCore.Authorization;
using Pipeline.ServiceDefaults;

namespace Pipeline.Notification.Apis;

/// <summary>
/// Who has an inbox: people. An API client (client credentials: its token's subject is the client itself) acts for
/// an organisation but reads no one's notifications, so the inbox, the stream and the preferences answer it 403.
/// </summary>
public static class InboxAccess
{
    public const string Policy = "person";

    public static AuthorizationBuilder AddInboxAccess(this AuthorizationBuilder authorization) =>
        authorization.AddPolicy(Policy, policy => policy
            .RequireAuthenticatedUser()
            .RequireRole(Roles.All)
            .RequireAssertion(context =>
            {
                var claims = context.Resource is HttpContext http ? http.RequestServices.GetRequiredService<ClaimNames>() : new ClaimNames();
                var subject = context.User.FindFirst(claims.Subject)?.Value;
                var organization = context.User.FindFirst(claims.Organization)?.Value;
                var client = context.User.FindFirst("client_id")?.Value ?? context.User.FindFirst("azp")?.Value;
                return subject is not null && organization is not null && subject != client;
            }));
}
