using AttentionService.Tests.Support;

namespace AttentionService.Tests.Repository;

/// <summary>
/// No merge conflict markers in the repository's own text files: a committed conflict once left the README with two
/// halves of a section and the markers between them, and nothing else read it line by line.
/// </summary>
public sealed class MergeMarkerTests
{
    private static readonly string[] SkippedFolders = [".git", "bin", "obj", "node_modules", "artifacts", "TestResults"];

    private static readonly string[] TextExtensions =
        [".cs", ".md", ".json", ".yaml", ".yml", ".sh", ".py", ".mjs", ".js", ".ts", ".html", ".css", ".proto", ".props", ".csproj", ".sln", ".Dockerfile"];

    [Fact]
    public void NoTextFileHoldsAConflictMarker()
    {
        var found = new List<string>();
        foreach (var file in TextFiles(RepoPaths.Root))
        {
            var number = 0;
            foreach (var line in File.ReadLines(file))
            {
                number++;
                if (line.StartsWith("<<<<<<< ", StringComparison.Ordinal) || line.StartsWith(">>>>>>> ", StringComparison.Ordinal))
                    found.Add($"{Path.GetRelativePath(RepoPaths.Root, file)}:{number}: {line}");
            }
        }

        Assert.True(found.Count == 0, "conflict markers:\n" + string.Join('\n', found));
    }

    [Fact]
    public void TheScanReadsTheReadmeAndTheSources()
    {
        var files = TextFiles(RepoPaths.Root).Select(f => Path.GetRelativePath(RepoPaths.Root, f)).ToHashSet();

        Assert.Contains("README.md", files);
        Assert.Contains("Dockerfile", files);
        Assert.Contains(Path.Combine("src", "AttentionService", "Program.cs"), files);
    }

    private static IEnumerable<string> TextFiles(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            var name = Path.GetFileName(file);
            if (name == "Dockerfile" || TextExtensions.Contains(Path.GetExtension(file), StringComparer.OrdinalIgnoreCase))
                yield return file;
        }
        foreach (var sub in Directory.EnumerateDirectories(folder))
            if (!SkippedFolders.Contains(Path.GetFileName(sub), StringComparer.Ordinal))
                foreach (var file in TextFiles(sub))
                    yield return file;
    }
}
