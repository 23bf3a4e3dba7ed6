using MailKit.Security;

namespace Pipeline.Notification.Email;

/// <summary>
/// The SMTP server, from the connection string <c>smtp</c>: <c>smtp://host:port</c> (STARTTLS when the server offers
/// it), <c>smtp://host:587?tls=required</c> (STARTTLS or nothing), <c>smtps://host:465</c> (TLS from the start); a
/// user name and password in the address authenticate (<c>smtp://user:password@host:587?tls=required</c>).
/// </summary>
public sealed record SmtpServer(string Host, int Port, SecureSocketOptions Security, string? UserName, string? Password)
{
    public static SmtpServer Parse(string connectionString)
    {
        if (!Uri.TryCreate(connectionString, UriKind.Absolute, out var uri) || uri.Scheme is not ("smtp" or "smtps") || uri.Host.Length == 0)
        {
            throw new InvalidOperationException($"ConnectionStrings:{ResourceNames.Smtp} must be smtp://host:port or smtps://host:port.");
        }

        var required = uri.Query.Contains("tls=required", StringComparison.OrdinalIgnoreCase);
        var security = uri.Scheme == "smtps" ? SecureSocketOptions.SslOnConnect
            : required ? SecureSocketOptions.StartTls
            : SecureSocketOptions.StartTlsWhenAvailable;
        var port = uri.IsDefaultPort || uri.Port <= 0 ? (uri.Scheme == "smtps" ? 465 : 25) : uri.Port;
        string? user = null, password = null;
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]);
            password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : null;
        }

        return new SmtpServer(uri.Host, port, security, user, password);
    }
}
