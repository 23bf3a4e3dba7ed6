using MimeKit;
using Pipeline.Testing;

namespace Pipeline.Notification.Tests;

/// <summary>The mail the test run's SMTP server accepted (eng/infra/smtp.sh writes one file per message).</summary>
public static class Mailbox
{
    public static async Task<List<MimeMessage>> ToAsync(string address)
    {
        var messages = new List<MimeMessage>();
        var folder = Path.Combine(TestServers.Maildir, "new");
        if (!Directory.Exists(folder))
        {
            return messages;
        }

        foreach (var file in Directory.EnumerateFiles(folder))
        {
            await using var stream = File.OpenRead(file);
            var message = await MimeMessage.LoadAsync(stream);
            if (message.To.Mailboxes.Any(m => string.Equals(m.Address, address, StringComparison.OrdinalIgnoreCase)))
            {
                messages.Add(message);
            }
        }

        return messages;
    }

    /// <summary>Waits for mail to <paramref name="address"/> whose subject satisfies <paramref name="subject"/>.</summary>
    public static async Task<MimeMessage> WaitForAsync(string address, Func<string, bool> subject, TimeSpan? timeout = null)
    {
        var found = await Eventually.Until(async () => (await ToAsync(address)).Where(m => subject(m.Subject ?? "")).ToList(),
            messages => messages.Count > 0, timeout ?? TimeSpan.FromSeconds(30), $"mail to {address}");
        return found[0];
    }
}
