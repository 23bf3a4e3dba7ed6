namespace Pipeline.Testing;

/// <summary>
/// The PostgreSQL, RabbitMQ and SMTP servers of the test run. <c>eng/test.sh</c> starts private ones and exports their
/// addresses; the defaults below match it, for running a test project on its own after <c>eng/test.sh</c>.
/// </summary>
public static class TestServers
{
    public static string Postgres =>
        Environment.GetEnvironmentVariable("PIPELINE_TEST_POSTGRES") ?? "Host=127.0.0.1;Port=55433;Username=postgres";

    public static Uri RabbitMq =>
        new(Environment.GetEnvironmentVariable("PIPELINE_TEST_RABBITMQ") ?? "amqp://guest:guest@127.0.0.1:56721/");

    public static string RabbitMqNode =>
        Environment.GetEnvironmentVariable("PIPELINE_TEST_RABBITMQ_NODE") ?? "pipeline-56721@localhost";

    public static string RabbitMqHome =>
        Environment.GetEnvironmentVariable("PIPELINE_TEST_RABBITMQ_HOME") ?? "/var/tmp/pipeline-cloud/test-55433/rabbitmq/home";

    /// <summary>The test run's SMTP server (eng/infra/smtp.sh), an smtp:// address.</summary>
    public static Uri Smtp =>
        new(Environment.GetEnvironmentVariable("PIPELINE_TEST_SMTP") ?? "smtp://127.0.0.1:55025");

    /// <summary>Where that SMTP server writes every message it accepts, one file each in <c>new/</c>.</summary>
    public static string Maildir =>
        Environment.GetEnvironmentVariable("PIPELINE_TEST_MAILDIR") ?? "/var/tmp/pipeline-cloud/test-55433/mail";

    /// <summary>The repository root (where Pipeline.Cloud.sln is), found from the test binaries.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Pipeline.Cloud.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException("Pipeline.Cloud.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
