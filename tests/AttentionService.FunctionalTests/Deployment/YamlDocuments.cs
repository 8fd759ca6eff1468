using System.Text.Json;

namespace AttentionService.Tests.Deployment;

/// <summary>YAML read by PyYAML (python3-yaml, installed by .ci/run) and handed over as JSON.</summary>
public static class YamlDocuments
{
    // Debian's interpreter, where apt's python3-yaml lives; a python3 earlier on PATH (pyenv) may lack it.
    private static readonly string Python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    private const string ToJson =
        "import json, sys, yaml; json.dump([d for d in yaml.safe_load_all(sys.stdin) if d is not None], sys.stdout)";

    public static IReadOnlyList<JsonElement> Parse(string yaml)
    {
        var result = ExternalCommand.Run(Python, ["-c", ToJson], TimeSpan.FromSeconds(60), standardInput: yaml);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"PyYAML could not read the document:\n{result.Transcript}");
        using var json = JsonDocument.Parse(result.StandardOutput);
        return json.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    public static IReadOnlyList<JsonElement> ParseFile(string path) => Parse(File.ReadAllText(path));
}
