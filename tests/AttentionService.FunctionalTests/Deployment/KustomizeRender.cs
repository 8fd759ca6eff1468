using System.Text.Json;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Deployment;

/// <summary>
/// What `kubectl kustomize` makes of a folder of deploy/, by deploy/validate/render.mjs (no kustomize binary is packaged
/// for Debian 12): the resources as kubectl would apply them, with the generated ConfigMap's hashed name.
/// </summary>
public static class KustomizeRender
{
    public static readonly string DeployDir = Path.Combine(RepoPaths.Root, "deploy");

    private static readonly string Renderer = Path.Combine(DeployDir, "validate", "render.mjs");

    public static IReadOnlyList<JsonElement> Render(string dir)
    {
        var result = ExternalCommand.Run("node", [Renderer, dir, "--json"], TimeSpan.FromMinutes(1));
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"render.mjs could not render {dir}:\n{result.Transcript}");
        using var json = JsonDocument.Parse(result.StandardOutput);
        return json.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    public static JsonElement Single(IEnumerable<JsonElement> resources, string kind, string? name = null) =>
        Assert.Single(resources, r => r.GetProperty("kind").GetString() == kind
            && (name is null || r.GetProperty("metadata").GetProperty("name").GetString() == name));
}
