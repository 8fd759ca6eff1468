using AttentionService.Core.Models;

namespace AttentionService.Benchmarks.Models;

/// <summary>The repository's models/ folder, found by walking up from the binaries to AttentionService.sln.</summary>
public static class ModelFiles
{
    public static string Folder { get; } = FindFolder();

    /// <summary>Reads a model as the host's registry does: bytes, parsed graph, signature.</summary>
    public static ModelSource Load(string name) => ModelSource.Read(name, Path.Combine(Folder, name + ".onnx"));

    private static string FindFolder()
    {
        // BenchmarkDotNet runs each benchmark from a generated project under bin/, so search from both places.
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "AttentionService.sln")))
                    return Path.Combine(dir.FullName, "models");
        throw new InvalidOperationException($"AttentionService.sln not found above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}");
    }
}
