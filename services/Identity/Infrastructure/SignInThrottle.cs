using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Pipeline.Identity.Domain;

namespace Pipeline.Identity.Infrastructure;

/// <summary>Checks a user name and password, with the failed-attempt throttle of <see cref="LoginThrottle"/>.</summary>
public sealed class SignInThrottle(IdentityDbContext db, IPasswordHasher<User> hasher, TimeProvider clock)
{
    // Compared against when the user does not exist, so an unknown user name takes as long as a wrong password.
    private static readonly User Nobody = new() { Email = "nobody", Name = "nobody", Role = "rep" };
    private static string? _nobodyHash;

    public sealed record Outcome(User? User, bool Throttled, TimeSpan RetryAfter);

    public async Task<Outcome> SignInAsync(string? userName, string? password, CancellationToken cancellationToken)
    {
        var login = (userName ?? string.Empty).Trim().ToLowerInvariant();
        login = login[..Math.Min(login.Length, 320)];
        var now = clock.GetUtcNow();
        var attempts = await db.LoginAttempts.SingleOrDefaultAsync(a => a.Login == login, cancellationToken);
        if (LoginThrottle.IsLocked(attempts, now))
        {
            return new Outcome(null, true, attempts!.LockedUntil!.Value - now);
        }

        var user = login.Length == 0
            ? null
            : await db.Users.IgnoreQueryFilters().SingleOrDefaultAsync(u => u.Email == login && u.Active, cancellationToken);
        bool verified;
        if (user?.PasswordHash is { } hash)
        {
            verified = hasher.VerifyHashedPassword(user, hash, password ?? string.Empty) != PasswordVerificationResult.Failed;
        }
        else
        {
            hasher.VerifyHashedPassword(Nobody, _nobodyHash ??= hasher.HashPassword(Nobody, "nobody"), password ?? string.Empty);
            verified = false;
        }

        if (verified)
        {
            if (attempts is not null)
            {
                db.LoginAttempts.Remove(attempts);
                await db.SaveChangesAsync(cancellationToken);
            }

            return new Outcome(user, false, TimeSpan.Zero);
        }

        if (attempts is null)
        {
            attempts = new LoginAttempts { Login = login, FirstFailureAt = now };
            db.LoginAttempts.Add(attempts);
        }

        LoginThrottle.RecordFailure(attempts, now);
        await db.SaveChangesAsync(cancellationToken);
        return new Outcome(null, false, TimeSpan.Zero);
    }
}
