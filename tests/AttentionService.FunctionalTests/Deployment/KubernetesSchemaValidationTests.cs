using AttentionService.Tests.Support;

namespace AttentionService.Tests.Deployment;

/// <summary>
/// deploy/validate/validate.mjs, for its target Kubernetes version and offline: built-in kinds against the schemas
/// compiled into kubernetes-models, the ServiceMonitor against @kubernetes-models/prometheus-operator, the KServe
/// InferenceService against KServe's CRD schema (vendored), and APIs the target no longer serves refused by name.
/// </summary>
public sealed class KubernetesSchemaValidationTests
{
    private static readonly string Validator = Path.Combine(KustomizeRender.DeployDir, "validate", "validate.mjs");

    private static ExternalCommand.Result Validate(params string[] paths) =>
        ExternalCommand.Run("node", [Validator, .. paths], TimeSpan.FromMinutes(2));

    /// <summary>Runs the validator on <paramref name="yaml"/> written to a temporary file.</summary>
    private static ExternalCommand.Result ValidateText(string yaml)
    {
        var dir = Directory.CreateTempSubdirectory("attention-k8s-");
        try
        {
            var file = Path.Combine(dir.FullName, "manifest.yaml");
            File.WriteAllText(file, yaml);
            return Validate(file);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string Read(params string[] path) => File.ReadAllText(Path.Combine([KustomizeRender.DeployDir, .. path]));

    private static string Replace(string text, string from, string to)
    {
        Assert.Contains(from, text, StringComparison.Ordinal);
        return text.Replace(from, to, StringComparison.Ordinal);
    }

    [RequiresManifestToolsFact]
    public void TheBaseTheExamplesWithTheirComponentsAndTheInferenceServiceMatchTheirSchemasForTheTargetVersion()
    {
        var result = Validate();

        Assert.True(result.ExitCode == 0, result.Transcript);
        Assert.StartsWith("target Kubernetes 1.34\n", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("ok   deploy/examples/production: ServiceMonitor/attention-service", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("ok   deploy/examples/models-pvc: PersistentVolumeClaim/attention-service-models", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("ok   deploy/kserve/inference-service.yaml: InferenceService/attention-service", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("22 document(s), 0 problem(s)", result.StandardOutput, StringComparison.Ordinal);
    }

    [RequiresManifestToolsFact]
    public void ValidatorRejectsAMisspeltProbeAndAMistypedCount()
    {
        var deployment = Read("base", "deployment.yaml");

        var misspelt = ValidateText(Replace(deployment, "readinessProbe:", "readinesProbe:"));
        var mistyped = ValidateText(Replace(deployment, "revisionHistoryLimit: 5", "revisionHistoryLimit: five"));

        Assert.Equal(1, misspelt.ExitCode);
        Assert.Contains("unknown field(s) at /spec/template/spec/containers/0: readinesProbe", misspelt.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(1, mistyped.ExitCode);
        Assert.Contains("spec/revisionHistoryLimit must be integer", mistyped.StandardOutput, StringComparison.Ordinal);
    }

    [RequiresManifestToolsTheory]
    [InlineData("pdb.yaml", "apiVersion: policy/v1\n", "policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25 (target 1.34); use policy/v1")]
    [InlineData("hpa.yaml", "apiVersion: autoscaling/v2\n", "autoscaling/v2beta2 HorizontalPodAutoscaler was removed in Kubernetes 1.26 (target 1.34); use autoscaling/v2")]
    [InlineData("deployment.yaml", "apiVersion: apps/v1\n", "extensions/v1beta1 Deployment was removed in Kubernetes 1.16 (target 1.34); use apps/v1")]
    public void AnApiTheTargetVersionNoLongerServesIsRejectedNamingItsReplacement(string file, string current, string expected)
    {
        var removedApi = expected[..expected.IndexOf(' ', StringComparison.Ordinal)];

        var result = ValidateText(Replace(Read("base", file), current, $"apiVersion: {removedApi}\n"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.StandardOutput, StringComparison.Ordinal);
    }

    [RequiresManifestToolsFact]
    public void AnExtensionsIngressIsRejectedAsRemoved()
    {
        var result = ValidateText("apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: attention-service\nspec: {}\n");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("extensions/v1beta1 Ingress was removed in Kubernetes 1.22 (target 1.34); use networking.k8s.io/v1", result.StandardOutput, StringComparison.Ordinal);
    }

    [RequiresManifestToolsFact]
    public void TheInferenceServiceIsCheckedAgainstKServesCrdSchema()
    {
        var inferenceService = Read("kserve", "inference-service.yaml");

        var misspelt = ValidateText(Replace(inferenceService, "readinessProbe:", "readinesProbe:"));
        var mistyped = ValidateText(Replace(inferenceService, "minReplicas: 2", "minReplicas: two"));
        var misplaced = ValidateText(Replace(inferenceService, "  predictor:\n", "  predicter:\n"));

        Assert.Equal(1, misspelt.ExitCode);
        Assert.Contains("unknown field(s) at /spec/predictor/containers/0: readinesProbe", misspelt.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(1, mistyped.ExitCode);
        Assert.Contains("/spec/predictor/minReplicas must be integer", mistyped.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(1, misplaced.ExitCode);
        Assert.Contains("/spec must have required property 'predictor'", misplaced.StandardOutput, StringComparison.Ordinal);
    }

    [RequiresManifestToolsFact]
    public void TheServiceMonitorIsCheckedAgainstThePrometheusOperatorSchema()
    {
        var result = ValidateText(Replace(Read("components", "service-monitor", "service-monitor.yaml"), "interval:", "intervall:"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("unknown field(s) at /spec/endpoints/0: intervall", result.StandardOutput, StringComparison.Ordinal);
    }

    [RequiresManifestToolsFact]
    public void AKustomizationFieldTheRendererDoesNotImplementIsRefusedByNameNotIgnored()
    {
        var dir = Directory.CreateTempSubdirectory("attention-kustomize-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "kustomization.yaml"), "namePrefix: staging-\nresources: []\n");

            var result = Validate(dir.FullName);

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("kustomization.yaml: namePrefix not supported by this renderer", result.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [RequiresManifestToolsFact]
    public void TheRenderersHashIsKustomizesSoTheNamesAreTheOnesKubectlApplies()
    {
        var dir = Directory.CreateTempSubdirectory("attention-kustomize-");
        try
        {
            // Expected names printed by `kubectl kustomize` (kustomize v5.5.0) for these generators.
            File.WriteAllText(Path.Combine(dir.FullName, "kustomization.yaml"), """
                configMapGenerator:
                  - name: settings
                    literals: ["b=2", "a=1"]
                  - name: other
                    literals: ["Attention__Backend=Managed", "x=<&>"]
                """);

            var names = KustomizeRender.Render(dir.FullName).Select(r => KubernetesManifestTests.At(r, "metadata", "name").GetString()).ToList();

            Assert.Equal(["settings-7gdc49gk6d", "other-95k2mckc9t"], names);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
