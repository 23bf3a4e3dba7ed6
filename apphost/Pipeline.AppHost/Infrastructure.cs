using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pipeline.AppHost;

/// <summary>
/// PostgreSQL (one database per service), RabbitMQ and an SMTP server, from one of three sources chosen by <c>Infra:Mode</c>:
/// <list type="bullet">
/// <item><c>container</c>: Aspire's PostgreSQL and RabbitMQ (management plugin) containers;</item>
/// <item><c>local</c>: the servers of the OS packages (<c>eng/setup.sh</c> installs them), launched by Aspire
/// as processes on private ports with their data under <c>Infra:DataDirectory</c>;</item>
/// <item><c>external</c>: connection strings from configuration (<c>ConnectionStrings:opportunitydb</c>, ...).</item>
/// </list>
/// <c>auto</c> (the default) takes containers when a container engine answers, else local processes. Services see
/// the same connection names in every mode. The SMTP server is a local process that keeps every message as a file
/// (<c>eng/infra/smtp.sh</c>, in <c>Infra:DataDirectory</c>/mail) in the container mode too, where nothing would be
/// gained from a container; in the external mode it is <c>ConnectionStrings:smtp</c> (<c>smtp://user:password@host:587</c>).
/// </summary>
internal sealed class Infrastructure
{
    private const string DefaultDataDirectory = "/var/tmp/pipeline-cloud/run";

    private readonly IDistributedApplicationBuilder _builder;
    private readonly Func<string, IResourceBuilder<IResourceWithConnectionString>> _database;
    private readonly Dictionary<string, IResourceBuilder<IResourceWithConnectionString>> _databases = [];

    private Infrastructure(
        IDistributedApplicationBuilder builder,
        Func<string, IResourceBuilder<IResourceWithConnectionString>> database,
        IResourceBuilder<IResourceWithConnectionString> messaging,
        IResourceBuilder<IResourceWithConnectionString> smtp)
    {
        _builder = builder;
        _database = database;
        Messaging = messaging;
        Smtp = smtp;
    }

    public IResourceBuilder<IResourceWithConnectionString> Messaging { get; }

    /// <summary>Where the notification service sends e-mail: an <c>smtp://</c> address.</summary>
    public IResourceBuilder<IResourceWithConnectionString> Smtp { get; }

    public IResourceBuilder<IResourceWithConnectionString> Database(string name)
    {
        if (!_databases.TryGetValue(name, out var database))
        {
            _databases[name] = database = _database(name);
        }

        return database;
    }

    public static Infrastructure Create(IDistributedApplicationBuilder builder)
    {
        var mode = builder.Configuration["Infra:Mode"] ?? "auto";
        if (mode == "auto")
        {
            mode = ContainerRuntime.IsAvailable() ? "container" : "local";
        }

        Console.WriteLine($"[apphost] infrastructure: {mode} (Infra:Mode)");
        return mode switch
        {
            "container" => Containers(builder),
            "local" => LocalProcesses(builder),
            "external" => External(builder),
            _ => throw new InvalidOperationException($"Unknown Infra:Mode '{mode}': use auto, container, local or external."),
        };
    }

    private static Infrastructure Containers(IDistributedApplicationBuilder builder)
    {
        var postgres = builder.AddPostgres(ResourceNames.Postgres).WithDataVolume();
        var rabbitMq = builder.AddRabbitMQ(ResourceNames.RabbitMq).WithManagementPlugin().WithDataVolume();
        return new Infrastructure(builder, name => postgres.AddDatabase(name), rabbitMq, LocalSmtp(builder));
    }

    private static Infrastructure External(IDistributedApplicationBuilder builder) =>
        new(builder, name => builder.AddConnectionString(name), builder.AddConnectionString(ResourceNames.Messaging),
            builder.AddConnectionString(ResourceNames.Smtp));

    /// <summary>
    /// Debian's python3-aiosmtpd (installed by <c>eng/setup.sh</c>): accepts every message and writes it to
    /// <c>{Infra:DataDirectory}/mail/new/</c>, relaying nothing, so no demo e-mail ever leaves the machine.
    /// </summary>
    private static IResourceBuilder<IResourceWithConnectionString> LocalSmtp(IDistributedApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection("Infra");
        var dataDirectory = settings["DataDirectory"] ?? DefaultDataDirectory;
        var smtpPort = settings.GetValue("SmtpPort", 2525);
        var mailServer = builder.AddExecutable(ResourceNames.MailServer, "bash", Scripts(builder), "smtp.sh")
            .WithEnvironment("SMTP_MAILDIR", Path.Combine(dataDirectory, "mail"))
            .WithEnvironment("SMTP_PORT", smtpPort.ToString())
            .WithEndpoint("smtp", endpoint =>
            {
                endpoint.Port = smtpPort;
                endpoint.TargetPort = smtpPort;
                endpoint.IsProxied = false;
                endpoint.UriScheme = "smtp";
            })
            .WithHealthCheck("smtp-accepts-connections");
        builder.Services.AddHealthChecks().AddCheck("smtp-accepts-connections", TcpCheck("127.0.0.1", smtpPort));
        return builder.AddConnectionString(ResourceNames.Smtp, ReferenceExpression.Create($"smtp://127.0.0.1:{smtpPort.ToString()}"))
            .WaitFor(mailServer);
    }

    private static string Scripts(IDistributedApplicationBuilder builder) =>
        Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "..", "eng", "infra"));

    private static Infrastructure LocalProcesses(IDistributedApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection("Infra");
        var dataDirectory = settings["DataDirectory"] ?? DefaultDataDirectory;
        var postgresPort = settings.GetValue("PostgresPort", 55432);
        var rabbitMqPort = settings.GetValue("RabbitMqPort", 56720);
        var managementPort = settings.GetValue("RabbitMqManagementPort", 15672);
        var scripts = Scripts(builder);

        var postgres = builder.AddExecutable(ResourceNames.Postgres, "bash", scripts, "postgres.sh")
            .WithEnvironment("PGDATA", Path.Combine(dataDirectory, "postgres"))
            .WithEnvironment("PGPORT", postgresPort.ToString())
            .WithEndpoint("tcp", endpoint =>
            {
                endpoint.Port = postgresPort;
                endpoint.TargetPort = postgresPort;
                endpoint.IsProxied = false;
                endpoint.UriScheme = "tcp";
            })
            .WithHealthCheck("postgres-accepts-connections");
        var rabbitMq = builder.AddExecutable(ResourceNames.RabbitMq, "bash", scripts, "rabbitmq.sh")
            .WithEnvironment("MQ_BASE", Path.Combine(dataDirectory, "rabbitmq"))
            .WithEnvironment("MQ_PORT", rabbitMqPort.ToString())
            .WithEnvironment("MQ_MANAGEMENT_PORT", managementPort.ToString())
            .WithEndpoint("amqp", endpoint =>
            {
                endpoint.Port = rabbitMqPort;
                endpoint.TargetPort = rabbitMqPort;
                endpoint.IsProxied = false;
                endpoint.UriScheme = "amqp";
            })
            .WithHttpEndpoint(port: managementPort, targetPort: managementPort, name: "management", isProxied: false)
            .WithHealthCheck("rabbitmq-accepts-connections");
        builder.Services.AddHealthChecks()
            .AddCheck("postgres-accepts-connections", TcpCheck("127.0.0.1", postgresPort))
            .AddCheck("rabbitmq-accepts-connections", TcpCheck("127.0.0.1", rabbitMqPort));

        var messaging = builder.AddConnectionString(
                ResourceNames.Messaging,
                ReferenceExpression.Create($"amqp://guest:guest@127.0.0.1:{rabbitMqPort.ToString()}/"))
            .WaitFor(rabbitMq);
        return new Infrastructure(
            builder,
            name => builder.AddConnectionString(
                    name,
                    ReferenceExpression.Create($"Host=127.0.0.1;Port={postgresPort.ToString()};Username=postgres;Database={name}"))
                .WaitFor(postgres),
            messaging,
            LocalSmtp(builder));
    }

    private static Func<HealthCheckResult> TcpCheck(string host, int port) => () =>
    {
        try
        {
            using var client = new TcpClient();
            return client.ConnectAsync(host, port).Wait(TimeSpan.FromSeconds(1)) && client.Connected
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"{host}:{port} does not accept connections yet");
        }
        catch (Exception exception)
        {
            return HealthCheckResult.Unhealthy($"{host}:{port}: {exception.GetBaseException().Message}");
        }
    };

    /// <summary>
    /// Whether a container engine answers. A docker CLI without a running daemon (as on the CI machines) counts as
    /// absent: declaring container resources without an engine makes the whole application hang.
    /// </summary>
    private static class ContainerRuntime
    {
        public static bool IsAvailable()
        {
            var preferred = Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME") ?? "docker";
            foreach (var executable in new[] { preferred, "podman" }.Distinct())
            {
                try
                {
                    using var process = Process.Start(new ProcessStartInfo(executable, "info --format {{.ServerVersion}}")
                    {
                        RedirectStandardOutput = true,
                        RedirectStandardError = true,
                    });
                    if (process is null)
                    {
                        continue;
                    }

                    if (process.WaitForExit(5000) && process.ExitCode == 0)
                    {
                        return true;
                    }

                    process.Kill(entireProcessTree: true);
                }
                catch (System.ComponentModel.Win32Exception)
                {
                    // Not installed.
                }
            }

            return false;
        }
    }
}

internal static class InfrastructureExtensions
{
    public static Infrastructure AddInfrastructure(this IDistributedApplicationBuilder builder) => Infrastructure.Create(builder);
}
