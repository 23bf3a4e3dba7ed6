using Pipeline;
using Pipeline.AppHost;

// The whole system, as the Aspire dashboard shows it. PostgreSQL and RabbitMQ come from containers when a
// container runtime answers, else from the OS packages launched as local processes (see Infrastructure.cs).
var builder = DistributedApplication.CreateBuilder(args);
var infrastructure = builder.AddInfrastructure();
var messaging = infrastructure.Messaging;

var identity = builder.AddService<Projects.Pipeline_Identity>(
    ResourceNames.Identity, infrastructure.Database(ResourceNames.IdentityDatabase), messaging);
var opportunity = builder.AddService<Projects.Pipeline_Opportunity>(
        ResourceNames.Opportunity, infrastructure.Database(ResourceNames.OpportunityDatabase), messaging)
    .WithEnvironment("DemoData__Deals", "true"); // Acme's demo deals on first start (local profile only)
var automation = builder.AddService<Projects.Pipeline_Automation>(
        ResourceNames.Automation, infrastructure.Database(ResourceNames.AutomationDatabase), messaging)
    .WithReference(opportunity); // a simulation replays the opportunity service's event history
var notification = builder.AddService<Projects.Pipeline_Notification>(
        ResourceNames.Notification, infrastructure.Database(ResourceNames.NotificationDatabase), messaging)
    .WithReference(infrastructure.Smtp, ResourceNames.Smtp) // e-mail; locally kept as files (README, Notifications)
    .WaitFor(infrastructure.Smtp);
var reporting = builder.AddService<Projects.Pipeline_Reporting>(
        ResourceNames.Reporting, infrastructure.Database(ResourceNames.ReportingDatabase), messaging)
    .WithReference(opportunity); // a rebuild reads the opportunity service's event history

new[] { identity, opportunity, automation, notification, reporting }.StartServicesAfterAllMigrations();

var web = builder.AddProject<Projects.Pipeline_Web>(ResourceNames.Web)
    .WithServiceDefaults();

// The gateway starts at once and answers 503 for a service that is not up yet; it is healthy (ready) once a user can
// sign in and load the board through it.
var gateway = builder.AddProject<Projects.Pipeline_Gateway>(ResourceNames.Gateway)
    .WithServiceDefaults()
    .WithHttpHealthCheck("/health")
    .WithReference(identity)
    .WithReference(opportunity)
    .WithReference(automation)
    .WithReference(notification)
    .WithReference(reporting)
    .WithReference(web);

StartupReport.Add(builder, gateway);
await builder.Build().RunUntilStoppedAsync();
