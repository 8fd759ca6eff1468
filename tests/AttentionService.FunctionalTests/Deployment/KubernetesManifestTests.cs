using System.Globalization;
using System.Text.Json;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Deployment;

/// <summary>deploy/: the manifests kustomization.yaml lists, read with PyYAML and checked against each other.</summary>
public sealed class KubernetesManifestTests
{
    private static readonly string DeployDir = Path.Combine(RepoPaths.Root, "deploy");

    private static readonly Lazy<IReadOnlyList<JsonElement>> Resources = new(() =>
    {
        var kustomization = Assert.Single(YamlDocuments.ParseFile(Path.Combine(DeployDir, "kustomization.yaml")));
        return kustomization.GetProperty("resources").EnumerateArray()
            .SelectMany(r => YamlDocuments.ParseFile(Path.Combine(DeployDir, r.GetString()!)))
            .ToList();
    });

    internal static JsonElement Resource(string kind) => Assert.Single(Resources.Value, r => r.GetProperty("kind").GetString() == kind);

    internal static JsonElement At(JsonElement element, params string[] path) => path.Aggregate(element, (e, name) => e.GetProperty(name));

    internal static JsonElement Container => Assert.Single(At(Resource("Deployment"), "spec", "template", "spec", "containers").EnumerateArray());

    private static int ContainerPort(string portName) =>
        Assert.Single(Container.GetProperty("ports").EnumerateArray(), p => p.GetProperty("name").GetString() == portName)
            .GetProperty("containerPort").GetInt32();

    [Fact]
    public void KustomizationListsTheDeploymentServiceAutoscalerDisruptionBudgetAndConfig()
    {
        var kinds = Resources.Value.Select(r => r.GetProperty("kind").GetString()).Order().ToList();

        Assert.Equal(["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Service"], kinds);
        Assert.All(Resources.Value, r => Assert.False(string.IsNullOrEmpty(r.GetProperty("apiVersion").GetString())));
        Assert.Equal("autoscaling/v2", Resource("HorizontalPodAutoscaler").GetProperty("apiVersion").GetString());
    }

    [Fact]
    public void ProbesUseTheHealthEndpointsOnThePortTheAppListensOn()
    {
        Assert.Equal("/health/ready", At(Container, "readinessProbe", "httpGet", "path").GetString());
        Assert.Equal("/health/live", At(Container, "livenessProbe", "httpGet", "path").GetString());
        Assert.StartsWith("/health/", At(Container, "startupProbe", "httpGet", "path").GetString(), StringComparison.Ordinal);

        var urls = Assert.Single(Container.GetProperty("env").EnumerateArray(), e => e.GetProperty("name").GetString() == "ASPNETCORE_URLS");
        foreach (var probe in new[] { "readinessProbe", "livenessProbe", "startupProbe" })
        {
            var port = ContainerPort(At(Container, probe, "httpGet", "port").GetString()!);
            Assert.Equal($"http://+:{port}", urls.GetProperty("value").GetString());
        }
    }

    [Fact]
    public void MetricsAndSwaggerAreOnTheManagementPortWhichPrometheusScrapesAndTheServiceDoesNotExpose()
    {
        var config = At(Resource("ConfigMap"), "data");
        var managementPort = int.Parse(At(config, "Attention__Exposure__ManagementPort").GetString()!, CultureInfo.InvariantCulture);
        var annotations = At(Resource("Deployment"), "spec", "template", "metadata", "annotations");

        Assert.Equal(managementPort, ContainerPort("management"));
        Assert.NotEqual(ContainerPort("http"), managementPort);
        Assert.Equal("Management", At(config, "Attention__Exposure__Metrics").GetString());
        Assert.Contains(At(config, "Attention__Exposure__Swagger").GetString(), new[] { "Management", "Off" });
        Assert.Equal("true", At(annotations, "prometheus.io/scrape").GetString());
        Assert.Equal(managementPort.ToString(CultureInfo.InvariantCulture), At(annotations, "prometheus.io/port").GetString());
        Assert.Equal("/metrics", At(annotations, "prometheus.io/path").GetString());
        Assert.All(At(Resource("Service"), "spec", "ports").EnumerateArray(),
            port => Assert.NotEqual(managementPort, ContainerPort(port.GetProperty("targetPort").GetString()!)));
    }

    [Fact]
    public void PodRunsAsTheImagesNonRootUserWithAReadOnlyRootAndResourceBounds()
    {
        var pod = At(Resource("Deployment"), "spec", "template", "spec");
        var dockerfileUid = DockerfileInstructions.Read(Path.Combine(RepoPaths.Root, "Dockerfile")).All
            .Single(i => i.Keyword == "ARG" && i.Arguments.StartsWith("APP_UID=", StringComparison.Ordinal)).Arguments["APP_UID=".Length..];

        Assert.True(At(pod, "securityContext", "runAsNonRoot").GetBoolean());
        Assert.Equal(dockerfileUid, At(pod, "securityContext", "runAsUser").GetInt32().ToString(CultureInfo.InvariantCulture));
        Assert.False(At(Container, "securityContext", "allowPrivilegeEscalation").GetBoolean());
        Assert.True(At(Container, "securityContext", "readOnlyRootFilesystem").GetBoolean());
        Assert.Contains(Container.GetProperty("volumeMounts").EnumerateArray(), m => m.GetProperty("mountPath").GetString() == "/tmp");
        foreach (var bound in new[] { "requests", "limits" })
            foreach (var resource in new[] { "cpu", "memory" })
                Assert.False(string.IsNullOrEmpty(At(Container, "resources", bound, resource).ToString()), $"resources.{bound}.{resource}");
    }

    [Fact]
    public void ServiceAutoscalerAndDisruptionBudgetSelectTheDeploymentsPods()
    {
        var deployment = Resource("Deployment");
        var podLabels = At(deployment, "spec", "template", "metadata", "labels").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetString());
        void AssertSelects(JsonElement selector, string owner)
        {
            foreach (var label in selector.EnumerateObject())
                Assert.True(podLabels.TryGetValue(label.Name, out var value) && value == label.Value.GetString(),
                    $"{owner} selects {label.Name}={label.Value}, pod labels are {string.Join(", ", podLabels)}");
        }

        var service = Resource("Service");
        AssertSelects(At(service, "spec", "selector"), "Service");
        AssertSelects(At(Resource("PodDisruptionBudget"), "spec", "selector", "matchLabels"), "PodDisruptionBudget");
        AssertSelects(At(deployment, "spec", "selector", "matchLabels"), "Deployment");
        var targetPort = Assert.Single(At(service, "spec", "ports").EnumerateArray()).GetProperty("targetPort").GetString()!;
        Assert.Equal(8080, ContainerPort(targetPort));

        var hpa = At(Resource("HorizontalPodAutoscaler"), "spec");
        Assert.Equal("Deployment", At(hpa, "scaleTargetRef", "kind").GetString());
        Assert.Equal(At(deployment, "metadata", "name").GetString(), At(hpa, "scaleTargetRef", "name").GetString());
        var metric = Assert.Single(hpa.GetProperty("metrics").EnumerateArray());
        Assert.Equal("cpu", At(metric, "resource", "name").GetString());
        Assert.True(At(hpa, "minReplicas").GetInt32() >= 2, "at least two replicas so the disruption budget can be met");
    }

    [Fact]
    public void ConfigurationComesFromTheConfigMapWithJsonLogs()
    {
        var configMapName = At(Resource("ConfigMap"), "metadata", "name").GetString();
        var envFrom = Assert.Single(Container.GetProperty("envFrom").EnumerateArray());

        Assert.Equal(configMapName, At(envFrom, "configMapRef", "name").GetString());
        Assert.Equal("Json", At(Resource("ConfigMap"), "data", "Attention__LogFormat").GetString());
        Assert.Equal("Auto", At(Resource("ConfigMap"), "data", "Attention__Backend").GetString());
    }
}
