using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Pipeline.Contracts;

namespace Pipeline.Automation.Domain;

/// <summary>
/// A rule's actions turned into the commands other services carry out: <c>notify</c> and <c>emailContact</c> →
/// <see cref="SendNotification"/>, <c>createActivity</c> → <see cref="CreateFollowUpActivity"/>, <c>webhook</c> →
/// <see cref="DeliverWebhook"/>. Each command's correlation id is derived from the run and the action, so a command
/// sent twice (a crash before the run's commit, a redelivery) is recognised by its receiver as the same one.
/// </summary>
public sealed record ActionPlan(IReadOnlyList<IntegrationMessage> Messages, string Summary, string? Failure)
{
    public const string WebhookEvent = "AutomationRuleFired";
    public const string QuoteReminderTemplate = "quote-reminder";

    public static ActionPlan Build(ActiveRule rule, RuleRun run, Deal deal, DealQuote? quote, OrganizationView view, DateTimeOffset now)
    {
        var messages = new List<IntegrationMessage>();
        var done = new List<string>();
        var values = TemplateValues(deal, quote, view);
        var actions = rule.Definition.Actions;
        for (var index = 0; index < actions.Count; index++)
        {
            var action = actions[index];
            var correlation = CorrelationId(run.Id, index);
            var failure = action.Type switch
            {
                ActionTypes.Notify => Notify(action, rule, run, deal, view, values, correlation, now, messages, done),
                ActionTypes.CreateActivity => CreateActivity(action, deal, view, values, correlation, now, messages, done),
                ActionTypes.EmailContact => EmailContact(deal, quote, values, correlation, now, messages, done),
                ActionTypes.Webhook => Webhook(action, rule, run, deal, quote, correlation, now, messages, done),
                _ => $"Unknown action {action.Type}",
            };
            if (failure is not null)
            {
                return new ActionPlan([], "", $"Action {index + 1} ({action.Type}) failed: {failure}");
            }
        }

        return new ActionPlan(messages, string.Join("; ", done), null);
    }

    private static string? Notify(
        RuleAction action, ActiveRule rule, RuleRun run, Deal deal, OrganizationView view, IReadOnlyDictionary<string, string> values,
        Guid correlation, DateTimeOffset now, List<IntegrationMessage> messages, List<string> done)
    {
        var recipients = new List<NotificationRecipient>();
        var names = new List<string>();
        foreach (var recipient in action.Recipients ?? [])
        {
            switch (recipient)
            {
                case Recipients.Owner when deal.OwnerId is null:
                    return "the opportunity has no owner";
                case Recipients.Owner:
                    recipients.Add(new NotificationRecipient(deal.OwnerId));
                    names.Add($"{view.UserName(deal.OwnerId)} (owner)");
                    break;
                case Recipients.Manager or Recipients.Team when deal.TeamId is null:
                    return $"the owner {view.UserName(deal.OwnerId)} has no team";
                case Recipients.Manager:
                    var managers = view.ActiveMembers(deal.TeamId!.Value, SalesUser.ManagerRole).Select(u => u.Name).ToList();
                    if (managers.Count == 0)
                    {
                        return $"team {view.TeamName(deal.TeamId)} has no active manager";
                    }

                    recipients.Add(new NotificationRecipient(null, deal.TeamId, SalesUser.ManagerRole));
                    names.Add($"{string.Join(", ", managers)} (manager of {view.TeamName(deal.TeamId)})");
                    break;
                case Recipients.Team:
                    recipients.Add(new NotificationRecipient(null, deal.TeamId));
                    names.Add($"team {view.TeamName(deal.TeamId)}");
                    break;
                default:
                    var userId = Recipients.UserOf(recipient);
                    if (userId is null || !view.Users.TryGetValue(userId, out var user) || !user.Active)
                    {
                        return $"{recipient} is not an active user";
                    }

                    recipients.Add(new NotificationRecipient(userId));
                    names.Add(user.Name);
                    break;
            }
        }

        messages.Add(new SendNotification
        {
            OrganizationId = deal.OrganizationId,
            OccurredAt = now,
            Recipients = recipients,
            Channel = "inbox",
            Title = Fill(action.Title, values) ?? rule.Name,
            Body = Fill(action.Body, values) ?? $"{deal.Title}: {run.Trigger}",
            Link = $"/opportunities/{deal.OpportunityId}",
            OpportunityId = deal.OpportunityId,
            CorrelationId = correlation,
            Kind = "rule",
        });
        done.Add($"notified {string.Join(", ", names)}");
        return null;
    }

    private static string? CreateActivity(
        RuleAction action, Deal deal, OrganizationView view, IReadOnlyDictionary<string, string> values,
        Guid correlation, DateTimeOffset now, List<IntegrationMessage> messages, List<string> done)
    {
        var assignee = action.Assignee is { } named && Recipients.UserOf(named) is { } user ? user : deal.OwnerId;
        if (assignee is null)
        {
            return "the opportunity has no owner to assign the activity to";
        }

        var subject = Fill(action.Subject, values) ?? "Follow up";
        var type = action.ActivityType ?? "task";
        messages.Add(new CreateFollowUpActivity
        {
            OrganizationId = deal.OrganizationId,
            OccurredAt = now,
            OpportunityId = deal.OpportunityId,
            AssigneeId = assignee,
            ActivityType = type,
            Subject = subject,
            DueAt = action.DueIn is { } dueIn ? now + dueIn : null,
            CorrelationId = correlation,
        });
        done.Add($"{type} '{subject}' for {view.UserName(assignee)}");
        return null;
    }

    private static string? EmailContact(
        Deal deal, DealQuote? quote, IReadOnlyDictionary<string, string> values, Guid correlation, DateTimeOffset now,
        List<IntegrationMessage> messages, List<string> done)
    {
        var email = quote?.ContactEmail ?? deal.ContactEmail;
        if (string.IsNullOrWhiteSpace(email))
        {
            return "the opportunity has no contact e-mail";
        }

        messages.Add(new SendNotification
        {
            OrganizationId = deal.OrganizationId,
            OccurredAt = now,
            Recipients = [new NotificationRecipient(null, Email: email, Name: deal.ContactName)],
            Channel = "email",
            Title = quote is null ? $"About {deal.Title}" : $"Your quote {quote.Number}",
            OpportunityId = deal.OpportunityId,
            CorrelationId = correlation,
            Kind = QuoteReminderTemplate,
            Template = QuoteReminderTemplate,
            TemplateValues = values,
        });
        done.Add($"reminder e-mailed to {email}");
        return null;
    }

    private static string? Webhook(
        RuleAction action, ActiveRule rule, RuleRun run, Deal deal, DealQuote? quote, Guid correlation, DateTimeOffset now,
        List<IntegrationMessage> messages, List<string> done)
    {
        var data = JsonSerializer.Serialize(new
        {
            ruleId = rule.Id, ruleName = rule.Name, runId = run.Id, opportunityId = deal.OpportunityId, title = deal.Title,
            trigger = run.TriggerType, what = run.Trigger, triggeredAt = run.TriggeredAt, firedAt = now,
            stageId = deal.StageId, stage = deal.StageName, amount = deal.Amount, currency = deal.Currency, ownerId = deal.OwnerId,
            quoteId = quote?.QuoteId, quoteNumber = quote?.Number,
        }, RuleDefinition.Json);
        messages.Add(new DeliverWebhook
        {
            OrganizationId = deal.OrganizationId,
            OccurredAt = now,
            SubscriptionId = action.SubscriptionId!.Value,
            Event = WebhookEvent,
            Data = data,
            OpportunityId = deal.OpportunityId,
            CorrelationId = correlation,
        });
        done.Add($"webhook {action.SubscriptionId} called");
        return null;
    }

    /// <summary>What titles, subjects and the e-mail template may use: <c>{title}</c>, <c>{quoteNumber}</c>, ...</summary>
    public static IReadOnlyDictionary<string, string> TemplateValues(Deal deal, DealQuote? quote, OrganizationView view)
    {
        var values = new Dictionary<string, string>
        {
            ["title"] = deal.Title ?? "",
            ["accountName"] = deal.AccountName ?? "",
            ["contactName"] = deal.ContactName ?? "",
            ["stage"] = deal.StageName ?? "",
            ["amount"] = OrganizationView.Money(deal.Amount, deal.Currency),
            ["ownerName"] = view.UserName(deal.OwnerId),
            ["ownerEmail"] = deal.OwnerId is not null && view.Users.TryGetValue(deal.OwnerId, out var owner) ? owner.Email : "",
            ["organization"] = view.Profile.Name,
        };
        if (quote is not null)
        {
            values["quoteNumber"] = quote.Number ?? "";
            values["quoteAmount"] = OrganizationView.Money(quote.Amount, quote.Currency);
            values["validUntil"] = quote.ValidUntil?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";
            values["sentAt"] = quote.SentAt?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";
        }

        return values;
    }

    /// <summary>Replaces <c>{name}</c> placeholders; null stays null (the action's default applies).</summary>
    public static string? Fill(string? text, IReadOnlyDictionary<string, string> values)
    {
        if (text is null)
        {
            return null;
        }

        var filled = new StringBuilder(text);
        foreach (var (name, value) in values)
        {
            filled.Replace("{" + name + "}", value);
        }

        return filled.ToString();
    }

    /// <summary>A name-based id (RFC 9562 version 5 layout) of a run's action: the same run and action give the same id.</summary>
    public static Guid CorrelationId(Guid runId, int actionIndex)
    {
        Span<byte> input = stackalloc byte[20];
        runId.TryWriteBytes(input);
        BitConverter.TryWriteBytes(input[16..], actionIndex);
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(input, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16]);
    }
}
