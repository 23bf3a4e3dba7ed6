namespace Pipeline.Identity.Domain;

/// <summary>The rule for repeated failed sign-ins: 5 failures within 15 minutes lock the login name for 15 minutes.</summary>
public static class LoginThrottle
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan Lockout = TimeSpan.FromMinutes(15);

    public static bool IsLocked(LoginAttempts? attempts, DateTimeOffset now) => attempts?.LockedUntil > now;

    public static void RecordFailure(LoginAttempts attempts, DateTimeOffset now)
    {
        if (now - attempts.FirstFailureAt > Window)
        {
            attempts.Failures = 0;
            attempts.FirstFailureAt = now;
        }

        attempts.Failures++;
        if (attempts.Failures >= MaxFailures)
        {
            attempts.LockedUntil = now + Lockout;
            attempts.Failures = 0;
        }
    }
}
