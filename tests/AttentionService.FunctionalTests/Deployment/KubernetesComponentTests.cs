using System.Text.Json;

namespace AttentionService.Tests.Deployment;

/// <summary>
/// The optional kustomize components (deploy/components/), as deploy/examples/ render them over the base: models from
/// their own image through an init container or from a persistent volume claim, and the Prometheus Operator's ServiceMonitor.
/// </summary>
public sealed class KubernetesComponentTests
{
    private static readonly Lazy<IReadOnlyList<JsonElement>> Production =
        new(() => KustomizeRender.Render(Path.Combine(KustomizeRender.DeployDir, "examples", "production")));

    private static JsonElement At(JsonElement element, params string[] path) => KubernetesManifestTests.At(element, path);

    private static readonly Lazy<IReadOnlyList<JsonElement>> ModelsClaim =
        new(() => KustomizeRender.Render(Path.Combine(KustomizeRender.DeployDir, "examples", "models-pvc")));

    private static JsonElement Pod => PodOf(Production.Value);

    private static JsonElement PodOf(IEnumerable<JsonElement> resources) => At(KustomizeRender.Single(resources, "Deployment"), "spec", "template", "spec");

    private static JsonElement Named(JsonElement list, string name, string key = "name") =>
        Assert.Single(list.EnumerateArray(), e => e.GetProperty(key).GetString() == name);

    [RequiresManifestToolsFact]
    public void AnInitContainerCopiesTheModelsImageIntoAVolumeTheServiceReadsAsItsModelsPath()
    {
        var init = Named(Pod.GetProperty("initContainers"), "models");
        var service = Named(Pod.GetProperty("containers"), "attention-service");
        var volume = Named(Pod.GetProperty("volumes"), "models");
        var initMount = Named(init.GetProperty("volumeMounts"), "models");
        var serviceMount = Named(service.GetProperty("volumeMounts"), "models");
        var command = init.GetProperty("command").EnumerateArray().Select(c => c.GetString()!).ToList();
        var modelsPath = Named(service.GetProperty("env"), "Attention__ModelsPath").GetProperty("value").GetString();

        Assert.True(volume.TryGetProperty("emptyDir", out _));
        Assert.Equal("cp", command[0]);
        Assert.Equal(initMount.GetProperty("mountPath").GetString() + "/", command[^1]);
        Assert.Equal(modelsPath, serviceMount.GetProperty("mountPath").GetString());
        Assert.True(serviceMount.GetProperty("readOnly").GetBoolean());
        Assert.Equal("registry.example/attention-service-models:1.0", init.GetProperty("image").GetString());
        Assert.Equal("registry.example/attention-service:1.0", service.GetProperty("image").GetString());
        // The base's container settings survive the patch: the patch adds, it does not replace.
        Assert.Contains(service.GetProperty("volumeMounts").EnumerateArray(), m => m.GetProperty("mountPath").GetString() == "/tmp");
        Assert.Contains(service.GetProperty("env").EnumerateArray(), e => e.GetProperty("name").GetString() == "ASPNETCORE_URLS");
        Assert.True(At(init, "securityContext", "readOnlyRootFilesystem").GetBoolean());
    }

    [RequiresManifestToolsFact]
    public void TheModelsClaimIsMountedReadOnlyByEveryReplicaAsTheModelsPath()
    {
        var pod = PodOf(ModelsClaim.Value);
        var claim = KustomizeRender.Single(ModelsClaim.Value, "PersistentVolumeClaim");
        var service = Named(pod.GetProperty("containers"), "attention-service");
        var volume = Named(pod.GetProperty("volumes"), "models");
        var mount = Named(service.GetProperty("volumeMounts"), "models");

        Assert.Equal(At(claim, "metadata", "name").GetString(), At(volume, "persistentVolumeClaim", "claimName").GetString());
        Assert.True(At(volume, "persistentVolumeClaim", "readOnly").GetBoolean());
        Assert.Equal(["ReadOnlyMany"], At(claim, "spec", "accessModes").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(Named(service.GetProperty("env"), "Attention__ModelsPath").GetProperty("value").GetString(), mount.GetProperty("mountPath").GetString());
        Assert.True(mount.GetProperty("readOnly").GetBoolean());
        Assert.False(pod.TryGetProperty("initContainers", out _));
    }

    [RequiresManifestToolsFact]
    public void TheServiceMonitorScrapesTheManagementPortThroughAMetricsServiceThatSelectsThePods()
    {
        var monitor = KustomizeRender.Single(Production.Value, "ServiceMonitor");
        var metrics = KustomizeRender.Single(Production.Value, "Service", "attention-service-metrics");
        var podLabels = At(KustomizeRender.Single(Production.Value, "Deployment"), "spec", "template", "metadata", "labels");
        var endpoint = Assert.Single(At(monitor, "spec", "endpoints").EnumerateArray());
        var port = Assert.Single(At(metrics, "spec", "ports").EnumerateArray());
        var containerPort = Named(Named(Pod.GetProperty("containers"), "attention-service").GetProperty("ports"), "management");

        Assert.Equal("monitoring.coreos.com/v1", monitor.GetProperty("apiVersion").GetString());
        foreach (var label in At(monitor, "spec", "selector", "matchLabels").EnumerateObject())
            Assert.Equal(label.Value.GetString(), At(metrics, "metadata", "labels", label.Name).GetString());
        foreach (var label in At(metrics, "spec", "selector").EnumerateObject())
            Assert.Equal(label.Value.GetString(), podLabels.GetProperty(label.Name).GetString());
        Assert.Equal(port.GetProperty("name").GetString(), endpoint.GetProperty("port").GetString());
        Assert.Equal("/metrics", endpoint.GetProperty("path").GetString());
        Assert.Equal("management", port.GetProperty("targetPort").GetString());
        Assert.Equal(containerPort.GetProperty("containerPort").GetInt32(), port.GetProperty("port").GetInt32());
    }

    [RequiresManifestToolsFact]
    public void TheExamplesKeepEveryResourceOfTheBaseAndAddTheirComponentsOnly()
    {
        var baseNames = KustomizeRender.Render(KustomizeRender.DeployDir).Select(Key).ToHashSet();

        Assert.Equal(["Service/attention-service-metrics", "ServiceMonitor/attention-service"], Production.Value.Select(Key).Except(baseNames).Order());
        Assert.Equal(["PersistentVolumeClaim/attention-service-models"], ModelsClaim.Value.Select(Key).Except(baseNames));
        Assert.Subset(Production.Value.Select(Key).ToHashSet(), baseNames);
        Assert.Subset(ModelsClaim.Value.Select(Key).ToHashSet(), baseNames);
    }

    private static string Key(JsonElement r) => $"{r.GetProperty("kind").GetString()}/{r.GetProperty("metadata").GetProperty("name").GetString()}";
}
