using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace Pipeline.EndToEnd.Tests;

/// <summary>
/// Tokens an attacker or a misconfigured client could present. Those that need the issuer's real key (an expired
/// token, a token for another audience or from another issuer) are signed with the key read from the identity
/// database, to prove that the services check more than the signature.
/// </summary>
public sealed class ForgedTokens(PipelineApp pipeline)
{
    public const string Issuer = "http://localhost:8080/";

    public enum Kind
    {
        Missing,
        Garbage,
        Expired,
        WrongAudience,
        WrongIssuer,
        SignedByAnotherKey,
        AlgorithmNone,
    }

    public async Task<string?> CreateAsync(Kind kind)
    {
        return kind switch
        {
            Kind.Missing => null,
            Kind.Garbage => "not-a-token",
            Kind.Expired => Sign(await IssuerKeyAsync(), Issuer, "pipeline-api", DateTime.UtcNow.AddHours(-2), DateTime.UtcNow.AddHours(-1)),
            Kind.WrongAudience => Sign(await IssuerKeyAsync(), Issuer, "another-api", DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddHours(1)),
            Kind.WrongIssuer => Sign(await IssuerKeyAsync(), "http://evil.example/", "pipeline-api", DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddHours(1)),
            Kind.SignedByAnotherKey => Sign(new RsaSecurityKey(RSA.Create(2048)) { KeyId = "attacker" }, Issuer, "pipeline-api", DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddHours(1)),
            Kind.AlgorithmNone => Unsigned(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    private static string Sign(SecurityKey key, string issuer, string audience, DateTime notBefore, DateTime expires) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            NotBefore = notBefore,
            IssuedAt = notBefore,
            Expires = expires,
            Subject = AdminOfAcme(),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });

    private static string Unsigned()
    {
        static string Encode(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return Encode("""{"alg":"none","typ":"JWT"}""") + "." +
               Encode($$"""{"iss":"{{Issuer}}","aud":"pipeline-api","sub":"a0000000-0000-0000-0000-00000000a005","org":"a0000000-0000-0000-0000-000000000001","role":"admin","nbf":{{now - 60}},"exp":{{now + 3600}}}""") + ".";
    }

    private static ClaimsIdentity AdminOfAcme() => new(
    [
        new Claim("sub", "a0000000-0000-0000-0000-00000000a005"),
        new Claim("org", "a0000000-0000-0000-0000-000000000001"),
        new Claim("role", "admin"),
        new Claim("name", "Forged Admin"),
    ]);

    private async Task<SecurityKey> IssuerKeyAsync()
    {
        await using var connection = new NpgsqlConnection(await pipeline.ConnectionStringAsync(ResourceNames.IdentityDatabase));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT id, material FROM issuer_keys WHERE use = 'signing' ORDER BY created_at DESC LIMIT 1", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var rsa = RSA.Create();
        rsa.ImportFromPem(reader.GetString(1));
        return new RsaSecurityKey(rsa) { KeyId = reader.GetGuid(0).ToString("N") };
    }
}
