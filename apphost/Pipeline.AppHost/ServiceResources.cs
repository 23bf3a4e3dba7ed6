namespace Pipeline.AppHost;

internal static class ServiceResources
{
    /// <summary>Where users and API clients reach the system: the gateway. Also the token issuer's address.</summary>
    public const string PublicUrl = "http://localhost:8080/";

    /// <summary>The migration steps so far: every service starts only once all of them have completed.</summary>
    private static readonly List<IResourceBuilder<ProjectResource>> MigrationSteps = [];

    /// <summary>
    /// A service with its own database: a one-shot migration step (the same binary, argument <c>migrate</c>: EF Core
    /// migrations, seeds, and the service's queues on the broker) runs first. Services start once every step has
    /// completed, so no service publishes before every consumer's queue is bound.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddService<TProject>(
        this IDistributedApplicationBuilder builder,
        string name,
        IResourceBuilder<IResourceWithConnectionString> database,
        IResourceBuilder<IResourceWithConnectionString> messaging)
        where TProject : IProjectMetadata, new()
    {
        var migrations = builder.AddProject<TProject>(ResourceNames.Migrations(name), options => options.ExcludeLaunchProfile = true)
            .WithArgs("migrate")
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName)
            .WithServiceDefaults()
            .WithReference(database)
            .WithReference(messaging, ResourceNames.Messaging)
            .WaitFor(database)
            .WaitFor(messaging);
        MigrationSteps.Add(migrations);

        return builder.AddProject<TProject>(name)
            .WithServiceDefaults()
            .WithReference(database)
            .WithReference(messaging, ResourceNames.Messaging)
            .WaitFor(database)
            .WaitFor(messaging)
            .WithHttpHealthCheck("/health");
    }

    /// <summary>Makes every service wait for every migration step; call after the last <see cref="AddService{TProject}"/>.</summary>
    public static void StartServicesAfterAllMigrations(this IEnumerable<IResourceBuilder<ProjectResource>> services)
    {
        foreach (var service in services)
        {
            foreach (var step in MigrationSteps)
            {
                service.WaitForCompletion(step);
            }
        }
    }

    /// <summary>Settings every one of our processes gets.</summary>
    public static IResourceBuilder<ProjectResource> WithServiceDefaults(this IResourceBuilder<ProjectResource> project)
    {
        // Each process listens on its own port (launchSettings.json). Through Aspire's proxy a stopped service
        // would accept connections and hang them; directly, the gateway sees "connection refused" and answers
        // 503 at once, as it would in Kubernetes.
        project.WithEndpointProxySupport(false);
        // On shutdown the dashboard's OTLP endpoint stops with the services; a short exporter timeout keeps
        // each service from hanging ~10 s flushing telemetry before it exits.
        return project
            .WithEnvironment("OTEL_EXPORTER_OTLP_TIMEOUT", "1000")
            // The issuer is the identity service as users reach it, through the gateway; every process validates its tokens.
            .WithEnvironment("Identity__Issuer", PublicUrl)
            .WithEnvironment("Authentication__Authority", PublicUrl);
    }
}
