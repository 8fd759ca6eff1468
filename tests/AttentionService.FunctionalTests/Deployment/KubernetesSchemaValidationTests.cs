using AttentionService.Tests.Support;

namespace AttentionService.Tests.Deployment;

/// <summary>
/// deploy/validate/validate.mjs: the Kubernetes API schemas compiled into the kubernetes-models npm package, run offline
/// (no cluster, no schema download). Needs `npm ci --prefix deploy/validate`, which .ci/run does.
/// </summary>
public sealed class KubernetesSchemaValidationTests
{
    private static readonly string Validator = Path.Combine(RepoPaths.Root, "deploy", "validate", "validate.mjs");

    private static ExternalCommand.Result Validate(params string[] files) =>
        ExternalCommand.Run("node", [Validator, .. files], TimeSpan.FromMinutes(2));

    [RequiresNodeValidatorFact]
    public void EveryManifestInTheKustomizationMatchesItsApiSchema()
    {
        var result = Validate();

        Assert.True(result.ExitCode == 0, result.Transcript);
        Assert.Contains("5 document(s), 0 problem(s)", result.StandardOutput, StringComparison.Ordinal);
    }

    [RequiresNodeValidatorFact]
    public void ValidatorRejectsAMisspeltProbeAndAMistypedReplicaCount()
    {
        var deployment = File.ReadAllText(Path.Combine(RepoPaths.Root, "deploy", "deployment.yaml"));
        var dir = Directory.CreateTempSubdirectory("attention-k8s-");
        try
        {
            var misspelt = Path.Combine(dir.FullName, "misspelt.yaml");
            var mistyped = Path.Combine(dir.FullName, "mistyped.yaml");
            File.WriteAllText(misspelt, deployment.Replace("readinessProbe:", "readinesProbe:", StringComparison.Ordinal));
            File.WriteAllText(mistyped, deployment.Replace("replicas: 2", "replicas: two", StringComparison.Ordinal));

            var misspeltResult = Validate(misspelt);
            var mistypedResult = Validate(mistyped);

            Assert.Equal(1, misspeltResult.ExitCode);
            Assert.Contains("unknown field(s) at /spec/template/spec/containers/0: readinesProbe", misspeltResult.StandardOutput, StringComparison.Ordinal);
            Assert.Equal(1, mistypedResult.ExitCode);
            Assert.Contains("spec/replicas must be integer", mistypedResult.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Skips, saying how to install it, when node or the validator's packages are missing.</summary>
    private sealed class RequiresNodeValidatorFactAttribute : FactAttribute
    {
        public RequiresNodeValidatorFactAttribute()
        {
            if (ExternalCommand.Find("node") is null)
                Skip = "'node' is not on PATH; the manifest schema check runs on Node.js";
            else if (!Directory.Exists(Path.Combine(RepoPaths.Root, "deploy", "validate", "node_modules", "kubernetes-models")))
                Skip = "deploy/validate has no node_modules; run `npm ci --prefix deploy/validate` (.ci/run does)";
        }
    }
}
