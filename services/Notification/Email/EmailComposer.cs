using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using Pipeline.Notification.Domain;

namespace Pipeline.Notification.Email;

public sealed record EmailContent(string Subject, string Text, string Html);

public sealed class EmailOptions
{
    /// <summary>The sender of every e-mail.</summary>
    public string From { get; set; } = "Pipeline.Cloud <notifications@pipeline.localhost>";

    /// <summary>Where users reach the product: relative links in notifications become absolute in e-mail.</summary>
    public string PublicUrl { get; set; } = "http://localhost:8080/";

    /// <summary>A failed send is retried, with backoff from <see cref="FirstRetryDelay"/> to <see cref="MaxRetryDelay"/>, this long.</summary>
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromHours(24);

    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Longest wait for the server on one send (connect, each command).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// The e-mail of a notification: one of the templates (quote reminder to a contact, stage alert, daily digest) in
/// the recipient's language, or the notification's title and body as they are; always a plain text and an HTML part.
/// Values are HTML-encoded in the HTML part, and only http(s) links become links.
/// </summary>
public sealed class EmailComposer(IOptions<EmailOptions> options)
{
    public const string QuoteReminder = "quote-reminder";
    public const string StageAlert = "stage-alert";
    public const string Digest = "digest";

    private static readonly Dictionary<(string Template, string Language), Template> Templates = new()
    {
        [(QuoteReminder, Languages.English)] = new(
            "Reminder: quote {quoteNumber}",
            "Hello {recipientName},\n\nWe sent you quote {quoteNumber} ({amount} {currency}), valid until {validUntil}. "
            + "Do you have any questions about it? Simply reply to this e-mail.\n\nBest regards,\n{senderName}"),
        [(QuoteReminder, Languages.French)] = new(
            "Relance : devis {quoteNumber}",
            "Bonjour {recipientName},\n\nNous vous avons envoyé le devis {quoteNumber} ({amount} {currency}), valable jusqu'au {validUntil}. "
            + "Avez-vous des questions ? Il vous suffit de répondre à cet e-mail.\n\nBien cordialement,\n{senderName}"),
        [(StageAlert, Languages.English)] = new(
            "{opportunityTitle} moved to {toStage}",
            "{opportunityTitle} ({amount} {currency}, owned by {ownerName}) moved from {fromStage} to {toStage}.\n\n{link}"),
        [(StageAlert, Languages.French)] = new(
            "{opportunityTitle} est passée à l'étape {toStage}",
            "{opportunityTitle} ({amount} {currency}, suivie par {ownerName}) est passée de l'étape {fromStage} à l'étape {toStage}.\n\n{link}"),
        [(Digest, Languages.English)] = new(
            "{count} overdue activities",
            "Good morning {recipientName},\n\nThese activities of yours are overdue:\n\n{items}\n\n{link}"),
        [(Digest, Languages.French)] = new(
            "{count} activités en retard",
            "Bonjour {recipientName},\n\nCes activités sont en retard :\n\n{items}\n\n{link}"),
    };

    public EmailContent Compose(NotificationRequest request, string? language, string? recipientName = null)
    {
        var link = AbsoluteLink(request.Link);
        if (request.Template is { } name && Templates.ContainsKey((name, Languages.English)))
        {
            var template = Templates.GetValueOrDefault((name, language ?? Languages.English)) ?? Templates[(name, Languages.English)];
            var values = new Dictionary<string, string>(request.TemplateValues ?? new Dictionary<string, string>())
            {
                ["link"] = link ?? "",
                ["title"] = request.Title,
            };
            values.TryAdd("recipientName", recipientName ?? "");
            return new EmailContent(Fill(template.Subject, values, html: false).ReplaceLineEndings(" "), Fill(template.Text, values, html: false), Html(template.Text, values));
        }

        var text = string.Join("\n\n", new[] { request.Body, link }.Where(part => !string.IsNullOrWhiteSpace(part)));
        var plain = new Dictionary<string, string> { ["body"] = request.Body ?? "", ["link"] = link ?? "" };
        return new EmailContent(request.Title.ReplaceLineEndings(" "), text, Html("{body}\n\n{link}", plain));
    }

    private string? AbsoluteLink(string? link)
    {
        if (string.IsNullOrWhiteSpace(link))
        {
            return null;
        }

        // A path of the product (/opportunities/42), made absolute; on Unix, Uri would take it for a file path.
        if (link.StartsWith('/'))
        {
            return Uri.TryCreate(new Uri(options.Value.PublicUrl), link, out var resolved) ? resolved.ToString() : null;
        }

        return Uri.TryCreate(link, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https" ? absolute.ToString() : null;
    }

    private static string Fill(string template, IReadOnlyDictionary<string, string> values, bool html)
    {
        var result = new StringBuilder(template.Length + 64);
        var at = 0;
        while (at < template.Length)
        {
            var open = template.IndexOf('{', at);
            var close = open < 0 ? -1 : template.IndexOf('}', open);
            if (open < 0 || close < 0)
            {
                result.Append(template, at, template.Length - at);
                break;
            }

            result.Append(template, at, open - at);
            var name = template[(open + 1)..close];
            var value = values.GetValueOrDefault(name) ?? "";
            result.Append(html ? HtmlValue(name, value) : value);
            at = close + 1;
        }

        return result.ToString();
    }

    /// <summary>The text template as HTML: paragraphs, values encoded, the link a link, a list of items a list.</summary>
    private static string Html(string textTemplate, IReadOnlyDictionary<string, string> values)
    {
        var body = new StringBuilder("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">");
        foreach (var paragraph in textTemplate.Split("\n\n"))
        {
            var filled = Fill(WebUtility.HtmlEncode(paragraph), values, html: true);
            if (filled.Length > 0)
            {
                body.Append(filled.StartsWith("<ul>", StringComparison.Ordinal) ? filled : $"<p>{filled.Replace("\n", "<br>")}</p>");
            }
        }

        return body.Append("</body></html>").ToString();
    }

    private static string HtmlValue(string name, string value) => name switch
    {
        "link" when value.Length > 0 => $"<a href=\"{WebUtility.HtmlEncode(value)}\">{WebUtility.HtmlEncode(value)}</a>",
        "items" => "<ul>" + string.Concat(value.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => $"<li>{WebUtility.HtmlEncode(line)}</li>")) + "</ul>",
        "body" => WebUtility.HtmlEncode(value).Replace("\n", "<br>"),
        _ => WebUtility.HtmlEncode(value),
    };

    private sealed record Template(string Subject, string Text);
}
