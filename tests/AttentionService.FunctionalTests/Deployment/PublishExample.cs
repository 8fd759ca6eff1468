using System.Text.RegularExpressions;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Deployment;

/// <summary>
/// A publish-and-run example as the docs write it, in the first fenced block under a heading:
/// <c>scripts/publish.sh OUT ARGS…</c> then <c>dotnet OUT/AttentionService.dll ARGS…</c>. <see cref="Publish"/> runs the
/// first line as written, into a temp folder instead of OUT; the second line's arguments (without <c>--urls</c>, which
/// the test picks) start the published app.
/// </summary>
public sealed partial class PublishExample : IDisposable
{
    private PublishExample(string[] publishArguments, string[] runArguments)
    {
        PublishArguments = publishArguments;
        RunArguments = runArguments;
    }

    /// <summary>The arguments after the output folder, e.g. <c>-r linux-musl-x64 -p:ManagedOnly=true</c>.</summary>
    public string[] PublishArguments { get; }

    /// <summary>The run line's arguments after the DLL, <c>--urls</c> and its value left out.</summary>
    public string[] RunArguments { get; }

    /// <summary>Where <see cref="Publish"/> wrote the app.</summary>
    public string Output { get; } = Path.Combine(Path.GetTempPath(), "attention-publish-" + Guid.NewGuid().ToString("N"));

    /// <summary>What scripts/publish.sh printed.</summary>
    public ExternalCommand.Result? Result { get; private set; }

    public static PublishExample Under(string markdownFile, string heading)
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, markdownFile));
        var start = text.IndexOf(heading + "\n", StringComparison.Ordinal);
        if (start < 0) throw new InvalidOperationException($"{markdownFile} has no heading '{heading}'");
        var block = FencedBlock().Match(text, start);
        if (!block.Success) throw new InvalidOperationException($"{markdownFile} has no code block under '{heading}'");
        var lines = block.Groups["body"].Value.Split('\n').Select(l => l.Split(" #")[0].Trim()).Where(l => l.Length > 0).ToArray();
        var publish = Words(lines.Single(l => l.StartsWith("scripts/publish.sh ", StringComparison.Ordinal)));
        var run = Words(lines.Single(l => l.StartsWith("dotnet ", StringComparison.Ordinal)));
        var output = publish[1];
        if (run[1] != $"{output}/AttentionService.dll")
            throw new InvalidOperationException($"{markdownFile} under '{heading}' publishes into {output} but runs {run[1]}");
        var runArguments = new List<string>();
        for (var i = 2; i < run.Length; i++)
        {
            if (run[i] == "--urls") i++;
            else runArguments.Add(run[i]);
        }
        return new PublishExample(publish[2..], runArguments.ToArray());
    }

    /// <summary>Runs scripts/publish.sh with the example's arguments; fails with its output when it fails.</summary>
    public PublishExample Publish()
    {
        Result = ExternalCommand.Run("bash", [Path.Combine(RepoPaths.Root, "scripts", "publish.sh"), Output, .. PublishArguments],
            TimeSpan.FromMinutes(15));
        if (Result.ExitCode != 0) throw new InvalidOperationException($"scripts/publish.sh {string.Join(' ', PublishArguments)} failed:\n{Result.Transcript}");
        return this;
    }

    private static string[] Words(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [GeneratedRegex(@"```(?:sh|bash)\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    public void Dispose()
    {
        if (Directory.Exists(Output)) Directory.Delete(Output, recursive: true);
    }
}
