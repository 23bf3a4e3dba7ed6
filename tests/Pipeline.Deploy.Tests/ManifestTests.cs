using Pipeline.Testing;
using YamlDotNet.RepresentationModel;

namespace Pipeline.Deploy.Tests;

/// <summary>What a platform team relies on when it applies deploy/ to a cluster.</summary>
public sealed class ManifestTests
{
    private static readonly string[] ServicesWithDatabase =
        [ResourceNames.Identity, ResourceNames.Opportunity, ResourceNames.Automation, ResourceNames.Notification, ResourceNames.Reporting];

    private static readonly string[] Deployables = [.. ServicesWithDatabase, ResourceNames.Web, ResourceNames.Gateway];

    private static readonly List<YamlMappingNode> Documents = LoadAll();

    public static TheoryData<string> Services => new(Deployables);

    [Theory]
    [MemberData(nameof(Services))]
    public void Each_service_scales_on_its_own_with_probes_the_cluster_can_trust(string service)
    {
        var deployment = Single("Deployment", service);
        var container = (YamlMappingNode)((YamlSequenceNode)deployment.Query("spec", "template", "spec", "containers"))[0];
        Assert.Equal("/health", container.Query("readinessProbe", "httpGet", "path").ToString());
        Assert.Equal("/alive", container.Query("livenessProbe", "httpGet", "path").ToString());
        Assert.NotNull(container.Query("resources", "requests", "cpu"));

        var autoscaler = Single("HorizontalPodAutoscaler", service);
        Assert.Equal(service, autoscaler.Query("spec", "scaleTargetRef", "name").ToString());
        Assert.True(int.Parse(autoscaler.Query("spec", "minReplicas").ToString()) >= 2, "at least two replicas, for zero-downtime rollouts");

        var kubernetesService = Single("Service", service);
        Assert.Equal(service, kubernetesService.Query("spec", "selector", "app.kubernetes.io/name").ToString());
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void Migrations_run_as_a_job_of_their_own_not_inside_the_service(string service)
    {
        var job = Documents.SingleOrDefault(d => Kind(d) == "Job" && Name(d) == ResourceNames.Migrations(service));
        if (!ServicesWithDatabase.Contains(service))
        {
            Assert.Null(job);
            return;
        }

        Assert.NotNull(job);
        var container = (YamlMappingNode)((YamlSequenceNode)job.Query("spec", "template", "spec", "containers"))[0];
        Assert.Equal("migrate", ((YamlSequenceNode)container.Query("args"))[0].ToString());
        Assert.Equal($"pipeline-cloud/{service}:latest", container.Query("image").ToString());
    }

    [Fact]
    public void The_gateway_finds_every_service_through_service_discovery()
    {
        var container = (YamlMappingNode)((YamlSequenceNode)Single("Deployment", ResourceNames.Gateway)
            .Query("spec", "template", "spec", "containers"))[0];
        var variables = ((YamlSequenceNode)container.Query("env"))
            .Cast<YamlMappingNode>()
            .ToDictionary(v => v.Query("name").ToString(), v => v.Query("value").ToString());
        foreach (var service in Deployables.Where(s => s != ResourceNames.Gateway))
        {
            Assert.Equal($"http://{service}", variables[$"services__{service}__http__0"]);
        }
    }

    private static YamlMappingNode Single(string kind, string name) =>
        Assert.Single(Documents, d => Kind(d) == kind && Name(d) == name);

    private static string Kind(YamlMappingNode document) => document.Query("kind").ToString();

    private static string Name(YamlMappingNode document) => document.Query("metadata", "name").ToString();

    /// <summary>Every resource listed by the kustomizations under deploy/, as kustomize would collect them.</summary>
    private static List<YamlMappingNode> LoadAll()
    {
        var documents = new List<YamlMappingNode>();
        Collect(Path.Combine(TestServers.RepositoryRoot, "deploy"), documents);
        return documents;
    }

    private static void Collect(string directory, List<YamlMappingNode> documents)
    {
        var kustomization = Load(Path.Combine(directory, "kustomization.yaml")).Single();
        foreach (var entry in (YamlSequenceNode)kustomization.Query("resources"))
        {
            var path = Path.Combine(directory, entry.ToString());
            if (Directory.Exists(path))
            {
                Collect(path, documents);
            }
            else
            {
                documents.AddRange(Load(path));
            }
        }
    }

    private static IEnumerable<YamlMappingNode> Load(string file)
    {
        var stream = new YamlStream();
        using var reader = File.OpenText(file);
        stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode);
    }
}

internal static class YamlQuery
{
    public static YamlNode Query(this YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            node = ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        }

        return node;
    }
}
