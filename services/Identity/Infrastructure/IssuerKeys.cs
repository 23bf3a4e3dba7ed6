using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using Pipeline.Identity.Domain;
using Pipeline.Messaging;

namespace Pipeline.Identity.Infrastructure;

/// <summary>
/// The issuer's keys live in its database so every replica signs with the same key and validates the codes
/// another replica issued. The migration step creates them once; the newest signing key signs, older ones stay
/// published in the JWKS so tokens they signed remain valid until they expire.
/// </summary>
internal sealed class IssuerKeySeeder(IdentityDbContext db) : IDatabaseSeeder
{
    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        if (!await db.IssuerKeys.AnyAsync(k => k.Use == "signing", cancellationToken))
        {
            using var rsa = RSA.Create(2048);
            db.IssuerKeys.Add(new IssuerKey { Id = Guid.NewGuid(), Use = "signing", Material = rsa.ExportPkcs8PrivateKeyPem(), CreatedAt = DateTimeOffset.UtcNow });
        }

        if (!await db.IssuerKeys.AnyAsync(k => k.Use == "encryption", cancellationToken))
        {
            db.IssuerKeys.Add(new IssuerKey
            {
                Id = Guid.NewGuid(),
                Use = "encryption",
                Material = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                CreatedAt = DateTimeOffset.UtcNow,
            });
        }

        await db.SaveChangesAsync(cancellationToken);
    }
}

/// <summary>Loads the keys into OpenIddict's options when they are first needed.</summary>
internal sealed class IssuerKeyConfiguration(IServiceScopeFactory scopes) : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        using var scope = scopes.CreateScope();
        var keys = scope.ServiceProvider.GetRequiredService<IdentityDbContext>().IssuerKeys.AsNoTracking()
            .OrderByDescending(k => k.CreatedAt).ToList();
        if (keys.Count == 0)
        {
            throw new InvalidOperationException("The issuer has no keys: run the identity service's migration step first (argument 'migrate').");
        }

        foreach (var key in keys.Where(k => k.Use == "signing"))
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(key.Material);
            options.SigningCredentials.Add(new SigningCredentials(
                new RsaSecurityKey(rsa) { KeyId = key.Id.ToString("N") }, SecurityAlgorithms.RsaSha256));
        }

        foreach (var key in keys.Where(k => k.Use == "encryption"))
        {
            options.EncryptionCredentials.Add(new EncryptingCredentials(
                new SymmetricSecurityKey(Convert.FromBase64String(key.Material)) { KeyId = key.Id.ToString("N") },
                SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512));
        }
    }
}
