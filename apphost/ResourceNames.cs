namespace Pipeline;

/// <summary>
/// Names of the Aspire resources, shared (as a linked source file) by the AppHost, the services and the tests,
/// so a connection string or a service address is never spelled twice.
/// </summary>
internal static class ResourceNames
{
    public const string Identity = "identity";
    public const string Opportunity = "opportunity";
    public const string Automation = "automation";
    public const string Notification = "notification";
    public const string Reporting = "reporting";
    public const string Web = "web";
    public const string Gateway = "gateway";

    public const string Postgres = "postgres";
    public const string RabbitMq = "rabbitmq";

    /// <summary>The local SMTP server of the run (a process that keeps the mail as files).</summary>
    public const string MailServer = "mailserver";

    /// <summary>The connection string name of the SMTP server the notification service sends e-mail through (an smtp:// URI).</summary>
    public const string Smtp = "smtp";

    /// <summary>The connection string name of the message broker (an amqp:// URI).</summary>
    public const string Messaging = "messaging";

    public const string IdentityDatabase = "identitydb";
    public const string OpportunityDatabase = "opportunitydb";
    public const string AutomationDatabase = "automationdb";
    public const string NotificationDatabase = "notificationdb";
    public const string ReportingDatabase = "reportingdb";

    /// <summary>The one-shot resource that applies a service's EF Core migrations before the service starts.</summary>
    public static string Migrations(string service) => $"{service}-migrations";
}
