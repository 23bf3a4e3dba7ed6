using OpenIddict.Abstractions;
using Pipeline.Messaging;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Pipeline.Identity.Infrastructure;

/// <summary>
/// The OAuth clients the product itself uses: <c>pipeline-web</c> (the web UI: authorization code with PKCE) and,
/// in the local profile only, <c>pipeline-cli</c> (a public client allowed the password grant for the demo users).
/// </summary>
internal sealed class ClientApplicationSeeder(IOpenIddictApplicationManager applications, IConfiguration configuration, IHostEnvironment environment)
    : IDatabaseSeeder
{
    public const string Cli = "pipeline-cli";
    public const string Web = "pipeline-web";

    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        var web = new OpenIddictApplicationDescriptor
        {
            ClientId = Web,
            DisplayName = "Pipeline.Cloud web",
            ClientType = ClientTypes.Public,
            ConsentType = ConsentTypes.Implicit,
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.EndSession,
                Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken, Permissions.ResponseTypes.Code,
                Permissions.Scopes.Profile, Permissions.Scopes.Email, Permissions.Prefixes.Scope + IdentityService.ApiScope,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        var publicUrl = configuration["Identity:Issuer"] ?? "http://localhost:8080/";
        web.RedirectUris.Add(new Uri(new Uri(publicUrl), "signin-oidc"));
        web.PostLogoutRedirectUris.Add(new Uri(new Uri(publicUrl), "signout-callback-oidc"));
        await UpsertAsync(web, cancellationToken);

        if (environment.IsDevelopment())
        {
            await UpsertAsync(new OpenIddictApplicationDescriptor
            {
                ClientId = Cli,
                DisplayName = "Pipeline.Cloud command line (demo users, local profile)",
                ClientType = ClientTypes.Public,
                Permissions =
                {
                    Permissions.Endpoints.Token, Permissions.GrantTypes.Password, Permissions.GrantTypes.RefreshToken,
                    Permissions.Scopes.Profile, Permissions.Scopes.Email, Permissions.Prefixes.Scope + IdentityService.ApiScope,
                },
            }, cancellationToken);
        }
    }

    private async Task UpsertAsync(OpenIddictApplicationDescriptor descriptor, CancellationToken cancellationToken)
    {
        var existing = await applications.FindByClientIdAsync(descriptor.ClientId!, cancellationToken);
        if (existing is null)
        {
            await applications.CreateAsync(descriptor, cancellationToken);
        }
        else
        {
            await applications.UpdateAsync(existing, descriptor, cancellationToken);
        }
    }
}
