using System.Text.Json.Nodes;
using System.Xml.Linq;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Deployment;

/// <summary>The NuGet packages a build resolved, from its <c>.deps.json</c>, and the ONNX Runtime version the repository pins.</summary>
public static class DepsJson
{
    /// <summary>Package name → version, from the libraries of type "package".</summary>
    public static Dictionary<string, string> Packages(string depsJson) =>
        JsonNode.Parse(File.ReadAllText(depsJson))!["libraries"]!.AsObject()
            .Where(l => (string?)l.Value!["type"] == "package")
            .Select(l => l.Key.Split('/'))
            .ToDictionary(parts => parts[0], parts => parts[1]);

    /// <summary>Directory.Packages.props' <c>OnnxRuntimeVersion</c>, which every ONNX Runtime package is pinned to.</summary>
    public static string OnnxRuntimeVersion =>
        XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Packages.props")).Descendants("OnnxRuntimeVersion").Single().Value;
}
