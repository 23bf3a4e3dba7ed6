namespace Pipeline.AppHost;

internal static class ServiceResources
{
    /// <summary>Where users and API clients reach the system: the gateway. Also the token issuer's address.</summary>
    public const string PublicUrl = "http://localhost:8080/";

    /// <summary>
    /// A service with its own database: a one-shot migration step (the same binary, argument <c>migrate</c>)
    /// runs first, and the service starts once it has completed and the database and broker are up.
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
            .WaitFor(database);

        return builder.AddProject<TProject>(name)
            .WithServiceDefaults()
            .WithReference(database)
            .WithReference(messaging, ResourceNames.Messaging)
            .WaitFor(database)
            .WaitFor(messaging)
            .WaitForCompletion(migrations)
            .WithHttpHealthCheck("/health");
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
