namespace AttentionService.Tests.Support;

/// <summary>Locations in the repository, found from the test binaries by walking up to AttentionService.sln.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Models => Path.Combine(Root, "models");

    public static string Model(string name) => Path.Combine(Models, name + ".onnx");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "AttentionService.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"AttentionService.sln not found above {AppContext.BaseDirectory}");
    }
}
