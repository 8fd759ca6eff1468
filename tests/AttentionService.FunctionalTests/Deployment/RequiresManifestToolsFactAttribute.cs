namespace AttentionService.Tests.Deployment;

/// <summary>
/// A fact that renders or validates deploy/ with Node (deploy/validate): skipped, saying how to install what is missing,
/// where node or the validator's packages are not installed. .ci/run installs both and fails when they are missing.
/// </summary>
public sealed class RequiresManifestToolsFactAttribute : FactAttribute
{
    public RequiresManifestToolsFactAttribute() => Skip = ManifestTools.SkipReason;
}

/// <summary>The theory twin of <see cref="RequiresManifestToolsFactAttribute"/>.</summary>
public sealed class RequiresManifestToolsTheoryAttribute : TheoryAttribute
{
    public RequiresManifestToolsTheoryAttribute() => Skip = ManifestTools.SkipReason;
}

internal static class ManifestTools
{
    public static string? SkipReason =>
        ExternalCommand.Find("node") is null ? "'node' is not on PATH; the manifests are rendered and checked on Node.js"
        : !Directory.Exists(Path.Combine(KustomizeRender.DeployDir, "validate", "node_modules", "kubernetes-models"))
            ? "deploy/validate has no node_modules; run `npm ci --prefix deploy/validate` (.ci/run does)"
            : null;
}
