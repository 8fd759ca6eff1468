using System.Globalization;
using System.Text.Json;

namespace AttentionService.Tests.Deployment;

/// <summary>
/// deploy/kserve/inference-service.yaml: a KServe custom predictor with this image speaking the Open Inference Protocol,
/// set up as the plain Deployment is (ports, probes, shutdown budget, security). Its schema is checked by
/// <see cref="KubernetesSchemaValidationTests"/>.
/// </summary>
public sealed class KubernetesKServeTests
{
    private static readonly Lazy<JsonElement> InferenceService = new(() =>
        Assert.Single(YamlDocuments.ParseFile(Path.Combine(KustomizeRender.DeployDir, "kserve", "inference-service.yaml"))));

    private static JsonElement At(JsonElement element, params string[] path) => KubernetesManifestTests.At(element, path);

    private static JsonElement Predictor => At(InferenceService.Value, "spec", "predictor");

    private static JsonElement Container => Assert.Single(Predictor.GetProperty("containers").EnumerateArray());

    private static string Env(string name) =>
        Assert.Single(Container.GetProperty("env").EnumerateArray(), e => e.GetProperty("name").GetString() == name).GetProperty("value").GetString()!;

    [Fact]
    public void ItIsACustomPredictorDeclaringProtocolV2InRawDeploymentMode()
    {
        Assert.Equal("serving.kserve.io/v1beta1", InferenceService.Value.GetProperty("apiVersion").GetString());
        // KServe names the container of a single-container custom predictor so, and reads its protocol from PROTOCOL.
        Assert.Equal("kserve-container", Container.GetProperty("name").GetString());
        Assert.Equal("v2", Env("PROTOCOL"));
        Assert.Equal("Standard", At(InferenceService.Value, "metadata", "annotations", "serving.kserve.io/deploymentMode").GetString());
    }

    [Fact]
    public void TheFirstPortIsRestAndTheGrpcPortIsTheOneTheAppIsGiven()
    {
        var ports = Container.GetProperty("ports").EnumerateArray().ToList();

        Assert.Equal($"http://+:{ports[0].GetProperty("containerPort").GetInt32()}", Env("ASPNETCORE_URLS"));
        var grpc = Assert.Single(ports, p => p.GetProperty("name").GetString()!.Contains("grpc", StringComparison.Ordinal));
        Assert.Equal(int.Parse(Env("Attention__Exposure__GrpcPort"), CultureInfo.InvariantCulture), grpc.GetProperty("containerPort").GetInt32());
        Assert.Equal("Management", Env("Attention__Exposure__Metrics"));
        Assert.DoesNotContain(ports, p => p.GetProperty("containerPort").GetInt32().ToString(CultureInfo.InvariantCulture) == Env("Attention__Exposure__ManagementPort"));
    }

    [Fact]
    public void ProbesUseTheProtocolsHealthEndpointsOnTheRestPort()
    {
        var restPort = Container.GetProperty("ports")[0].GetProperty("containerPort").GetInt32();

        Assert.Equal("/v2/health/ready", At(Container, "readinessProbe", "httpGet", "path").GetString());
        Assert.Equal("/v2/health/live", At(Container, "livenessProbe", "httpGet", "path").GetString());
        Assert.Equal("/v2/health/live", At(Container, "startupProbe", "httpGet", "path").GetString());
        foreach (var probe in new[] { "readinessProbe", "livenessProbe", "startupProbe" })
            Assert.Equal(restPort, At(Container, probe, "httpGet", "port").GetInt32());
    }

    [RequiresManifestToolsFact]
    public void ShutdownSecurityAndResourcesAreThePlainDeployments()
    {
        var pod = KubernetesManifestTests.Pod;
        var container = KubernetesManifestTests.Container;

        Assert.Equal(pod.GetProperty("terminationGracePeriodSeconds").GetInt32(), Predictor.GetProperty("terminationGracePeriodSeconds").GetInt32());
        Assert.True(JsonElement.DeepEquals(At(container, "lifecycle"), At(Container, "lifecycle")), At(Container, "lifecycle").ToString());
        Assert.True(JsonElement.DeepEquals(At(pod, "securityContext"), At(Predictor, "securityContext")), At(Predictor, "securityContext").ToString());
        Assert.True(JsonElement.DeepEquals(At(container, "securityContext"), At(Container, "securityContext")), At(Container, "securityContext").ToString());
        Assert.True(JsonElement.DeepEquals(At(container, "resources"), At(Container, "resources")), At(Container, "resources").ToString());
    }
}
