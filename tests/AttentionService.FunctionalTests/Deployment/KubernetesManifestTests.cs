using System.Globalization;
using System.Text.Json;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Deployment;

/// <summary>deploy/ as `kubectl apply -k deploy/` receives it (<see cref="KustomizeRender"/>), checked against itself and the app.</summary>
public sealed class KubernetesManifestTests
{
    private static readonly Lazy<IReadOnlyList<JsonElement>> Resources = new(() => KustomizeRender.Render(KustomizeRender.DeployDir));

    internal static JsonElement Resource(string kind) => KustomizeRender.Single(Resources.Value, kind);

    internal static JsonElement At(JsonElement element, params string[] path) => path.Aggregate(element, (e, name) => e.GetProperty(name));

    internal static JsonElement Pod => At(Resource("Deployment"), "spec", "template", "spec");

    internal static JsonElement Container => Assert.Single(Pod.GetProperty("containers").EnumerateArray());

    private static JsonElement Config => At(Resource("ConfigMap"), "data");

    private static int Setting(string key) => int.Parse(At(Config, key).GetString()!, CultureInfo.InvariantCulture);

    private static int ContainerPort(string portName) =>
        Assert.Single(Container.GetProperty("ports").EnumerateArray(), p => p.GetProperty("name").GetString() == portName)
            .GetProperty("containerPort").GetInt32();

    private static JsonElement ServicePort(string name) =>
        Assert.Single(At(Resource("Service"), "spec", "ports").EnumerateArray(), p => p.GetProperty("name").GetString() == name);

    [RequiresManifestToolsFact]
    public void KustomizationRendersTheWorkloadItsScalingAndProtectionAndTheGeneratedConfig()
    {
        var kinds = Resources.Value.Select(r => r.GetProperty("kind").GetString()).Order().ToList();

        Assert.Equal(["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "NetworkPolicy", "PodDisruptionBudget", "Service"], kinds);
        Assert.Equal("autoscaling/v2", Resource("HorizontalPodAutoscaler").GetProperty("apiVersion").GetString());
        Assert.Equal("policy/v1", Resource("PodDisruptionBudget").GetProperty("apiVersion").GetString());
        Assert.All(Resources.Value, r => Assert.Equal("attention-service", At(r, "metadata", "labels", "app.kubernetes.io/part-of").GetString()));
    }

    [RequiresManifestToolsFact]
    public void TheAutoscalerOwnsTheReplicaCountSoAnApplyDoesNotResetIt()
    {
        var hpa = At(Resource("HorizontalPodAutoscaler"), "spec");

        Assert.False(At(Resource("Deployment"), "spec").TryGetProperty("replicas", out _), "the Deployment must not fix replicas beside the HPA");
        Assert.Equal("Deployment", At(hpa, "scaleTargetRef", "kind").GetString());
        Assert.Equal(At(Resource("Deployment"), "metadata", "name").GetString(), At(hpa, "scaleTargetRef", "name").GetString());
        Assert.Equal("cpu", At(Assert.Single(hpa.GetProperty("metrics").EnumerateArray()), "resource", "name").GetString());
        Assert.True(At(hpa, "minReplicas").GetInt32() > At(Resource("PodDisruptionBudget"), "spec", "minAvailable").GetInt32(),
            "more replicas than the disruption budget keeps, so a node drain can evict one");
    }

    [RequiresManifestToolsFact]
    public void PodsSpreadOverZonesAndNodesWithoutEverStayingPendingForIt()
    {
        var podLabels = At(Resource("Deployment"), "spec", "template", "metadata", "labels");
        var constraints = Pod.GetProperty("topologySpreadConstraints").EnumerateArray().ToList();

        Assert.Equal(["kubernetes.io/hostname", "topology.kubernetes.io/zone"],
            constraints.Select(c => c.GetProperty("topologyKey").GetString()).Order());
        Assert.All(constraints, c =>
        {
            Assert.Equal("ScheduleAnyway", c.GetProperty("whenUnsatisfiable").GetString());
            Assert.Equal(1, c.GetProperty("maxSkew").GetInt32());
            foreach (var label in At(c, "labelSelector", "matchLabels").EnumerateObject())
                Assert.Equal(label.Value.GetString(), podLabels.GetProperty(label.Name).GetString());
            // Counted per ReplicaSet, so a rolling update spreads the new pods rather than balancing against the old.
            Assert.Contains("pod-template-hash", c.GetProperty("matchLabelKeys").EnumerateArray().Select(k => k.GetString()));
        });
    }

    [RequiresManifestToolsFact]
    public void ThePreStopPauseIsTheKubeletsSleepActionSoTheImageNeedsNoShell()
    {
        var preStop = At(Container, "lifecycle", "preStop");

        Assert.Equal(["sleep"], preStop.EnumerateObject().Select(p => p.Name));
        Assert.InRange(At(preStop, "sleep", "seconds").GetInt32(), 1, 30);
        Assert.All(Resources.Value, r => Assert.DoesNotContain("\"exec\"", r.GetRawText(), StringComparison.Ordinal));
    }

    [RequiresManifestToolsFact]
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

    [RequiresManifestToolsFact]
    public void MetricsAndSwaggerAreOnTheManagementPortWhichPrometheusScrapesAndTheServiceDoesNotExpose()
    {
        var managementPort = Setting("Attention__Exposure__ManagementPort");
        var annotations = At(Resource("Deployment"), "spec", "template", "metadata", "annotations");

        Assert.Equal(managementPort, ContainerPort("management"));
        Assert.NotEqual(ContainerPort("http"), managementPort);
        Assert.Equal("Management", At(Config, "Attention__Exposure__Metrics").GetString());
        Assert.Equal("Management", At(Config, "Attention__Exposure__Swagger").GetString());
        Assert.Equal("true", At(annotations, "prometheus.io/scrape").GetString());
        Assert.Equal(managementPort.ToString(CultureInfo.InvariantCulture), At(annotations, "prometheus.io/port").GetString());
        Assert.Equal("/metrics", At(annotations, "prometheus.io/path").GetString());
        Assert.All(At(Resource("Service"), "spec", "ports").EnumerateArray(),
            port => Assert.NotEqual(managementPort, ContainerPort(port.GetProperty("targetPort").GetString()!)));
    }

    [RequiresManifestToolsFact]
    public void TheGrpcPortTheAppIsGivenIsAContainerPortAndAnH2cServicePort()
    {
        var grpcPort = Setting("Attention__Exposure__GrpcPort");
        var service = ServicePort("grpc");

        Assert.Equal(grpcPort, ContainerPort("grpc"));
        Assert.Equal("grpc", service.GetProperty("targetPort").GetString());
        Assert.Equal("kubernetes.io/h2c", service.GetProperty("appProtocol").GetString());
        Assert.Equal(8080, ContainerPort(ServicePort("http").GetProperty("targetPort").GetString()!));
    }

    [RequiresManifestToolsFact]
    public void TheNetworkPolicyAdmitsTheApiFromAnywhereTheManagementPortFromMonitoringOnlyAndNoEgress()
    {
        var policy = At(Resource("NetworkPolicy"), "spec");
        var rules = policy.GetProperty("ingress").EnumerateArray().ToList();
        string[] Ports(JsonElement rule) => rule.GetProperty("ports").EnumerateArray().Select(p => p.GetProperty("port").GetString()!).Order().ToArray();

        Assert.Equal(["Egress", "Ingress"], policy.GetProperty("policyTypes").EnumerateArray().Select(t => t.GetString()).Order());
        Assert.Equal(0, policy.GetProperty("egress").GetArrayLength());
        Assert.True(JsonElement.DeepEquals(At(Resource("Deployment"), "spec", "selector", "matchLabels"), At(policy, "podSelector", "matchLabels")));
        var api = Assert.Single(rules, r => !r.TryGetProperty("from", out _));
        Assert.Equal(["grpc", "http"], Ports(api));
        var monitoring = Assert.Single(rules, r => r.TryGetProperty("from", out _));
        Assert.Equal(["management"], Ports(monitoring));
        Assert.Equal("monitoring", At(Assert.Single(monitoring.GetProperty("from").EnumerateArray()),
            "namespaceSelector", "matchLabels", "kubernetes.io/metadata.name").GetString());
        Assert.All(rules.SelectMany(Ports), name => ContainerPort(name));
    }

    [RequiresManifestToolsFact]
    public void PodRunsAsTheImagesNonRootUserWithAReadOnlyRootAndResourceBounds()
    {
        var dockerfileUid = DockerfileInstructions.Read(Path.Combine(RepoPaths.Root, "Dockerfile")).All
            .Single(i => i.Keyword == "ARG" && i.Arguments.StartsWith("APP_UID=", StringComparison.Ordinal)).Arguments["APP_UID=".Length..];

        Assert.True(At(Pod, "securityContext", "runAsNonRoot").GetBoolean());
        Assert.Equal(dockerfileUid, At(Pod, "securityContext", "runAsUser").GetInt32().ToString(CultureInfo.InvariantCulture));
        Assert.False(At(Container, "securityContext", "allowPrivilegeEscalation").GetBoolean());
        Assert.True(At(Container, "securityContext", "readOnlyRootFilesystem").GetBoolean());
        Assert.Contains(Container.GetProperty("volumeMounts").EnumerateArray(), m => m.GetProperty("mountPath").GetString() == "/tmp");
        foreach (var bound in new[] { "requests", "limits" })
            foreach (var resource in new[] { "cpu", "memory" })
                Assert.False(string.IsNullOrEmpty(At(Container, "resources", bound, resource).ToString()), $"resources.{bound}.{resource}");
    }

    [RequiresManifestToolsFact]
    public void ServiceAndDisruptionBudgetSelectTheDeploymentsPods()
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

        AssertSelects(At(Resource("Service"), "spec", "selector"), "Service");
        AssertSelects(At(Resource("PodDisruptionBudget"), "spec", "selector", "matchLabels"), "PodDisruptionBudget");
        AssertSelects(At(deployment, "spec", "selector", "matchLabels"), "Deployment");
    }

    [RequiresManifestToolsFact]
    public void ConfigurationComesFromTheGeneratedConfigMapWhoseNameCarriesTheHashOfItsData()
    {
        var configMapName = At(Resource("ConfigMap"), "metadata", "name").GetString()!;
        var envFrom = Assert.Single(Container.GetProperty("envFrom").EnumerateArray());

        Assert.Matches("^attention-service-config-[a-z0-9]{10}$", configMapName);
        Assert.Equal(configMapName, At(envFrom, "configMapRef", "name").GetString());
        Assert.Equal("Json", At(Config, "Attention__LogFormat").GetString());
        Assert.Equal("Auto", At(Config, "Attention__Backend").GetString());
    }

    [RequiresManifestToolsFact]
    public void ChangingASettingRenamesTheConfigMapAndThePodTemplateSoThePodsRoll()
    {
        var copy = Directory.CreateTempSubdirectory("attention-deploy-");
        try
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(KustomizeRender.DeployDir, "base")))
                File.Copy(file, Path.Combine(copy.FullName, Path.GetFileName(file)));
            var kustomization = Path.Combine(copy.FullName, "kustomization.yaml");
            var text = File.ReadAllText(kustomization);
            Assert.Contains("Attention__Backend=Auto", text, StringComparison.Ordinal);
            File.WriteAllText(kustomization, text.Replace("Attention__Backend=Auto", "Attention__Backend=Managed", StringComparison.Ordinal));

            var changed = KustomizeRender.Render(copy.FullName);
            var changedName = At(KustomizeRender.Single(changed, "ConfigMap"), "metadata", "name").GetString();
            var changedPod = At(KustomizeRender.Single(changed, "Deployment"), "spec", "template");

            Assert.NotEqual(At(Resource("ConfigMap"), "metadata", "name").GetString(), changedName);
            Assert.Equal(changedName, At(Assert.Single(At(changedPod, "spec", "containers")[0].GetProperty("envFrom").EnumerateArray()), "configMapRef", "name").GetString());
            Assert.NotEqual(At(Resource("Deployment"), "spec", "template").GetRawText(), changedPod.GetRawText());
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }
}
