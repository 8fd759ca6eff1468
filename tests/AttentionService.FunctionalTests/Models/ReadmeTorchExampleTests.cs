using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AttentionService.Backends.Managed.Operators;
using AttentionService.Tests.Deployment;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Models;

/// <summary>
/// The README's "Serve your own model" as a user follows it: its Python block exports with the real torch.onnx, its
/// config block is saved beside the export, and its curl request is answered on both backends; its operator table
/// lists exactly the ops the managed backend has.
/// </summary>
public sealed partial class ReadmeTorchExampleTests
{
    private const string Section = "## Serve your own model";
    private const string ConfigFile = "models/my-mha-padded.json";

    private static readonly string Readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));

    [RequiresTorchFact]
    public async Task TheExportExampleIsServedAsTheReadmeSays()
    {
        using var repository = new ModelRepository();
        var workspace = Directory.CreateTempSubdirectory("readme-torch-").FullName;
        try
        {
            Directory.CreateSymbolicLink(Path.Combine(workspace, "models"), repository.Folder);
            File.WriteAllText(Path.Combine(workspace, "export.py"), CodeBlock("python"));
            var export = ExternalCommand.Run(RequiresTorchFactAttribute.Python, ["export.py"], TimeSpan.FromMinutes(3), workspace);
            Assert.True(export.ExitCode == 0, export.Transcript);
            File.WriteAllText(Path.Combine(workspace, ConfigFile), CodeBlock("json", after: $"`{ConfigFile}`"));

            using var factory = repository.Start();
            var client = factory.CreateClient();
            var models = (await (await client.GetAsync("/models")).ReadObjectAsync())["models"]!.AsArray();
            foreach (var name in new[] { "my-mha", "my-mha-padded" })
                Assert.True(models.Any(m => (string?)m!["name"] == name && (bool?)m["ready"] == true), $"{name} is not ready: {models}");

            var request = JsonNode.Parse(CurlBody())!.AsObject();
            var answers = new Dictionary<string, JsonObject>();
            foreach (var backend in new[] { "onnx", "managed" })
            {
                request["backend"] = backend;
                var response = await client.PostRawAsync(request.ToJsonString());
                var text = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{backend}: {(int)response.StatusCode} {text}");
                answers[backend] = JsonNode.Parse(text)!.AsObject();
                var (shape, weights) = FixtureRequests.Flatten(answers[backend]["weights"]!);
                Assert.Equal([2, 2, 3], shape);
                for (var row = 0; row < 4; row++)
                {
                    Assert.Equal(0, weights[row * 3 + 2]);
                    Assert.Equal(1, weights[row * 3] + weights[row * 3 + 1], 5);
                }
            }
            foreach (var output in new[] { "context", "weights" })
            {
                var (_, onnx) = FixtureRequests.Flatten(answers["onnx"][output]!);
                var (_, managed) = FixtureRequests.Flatten(answers["managed"][output]!);
                Numerics.AssertClose(onnx, managed.Select(x => (float)x).ToArray(), 1e-5, output);
            }

            // The plain export takes the same tensors, bound by position; without the mask the third key counts.
            request["model"] = "my-mha";
            request.Remove("mask");
            var plain = await client.PostRawAsync(request.ToJsonString());
            Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        }
        finally
        {
            Directory.Delete(workspace, recursive: true);
        }
    }

    [Fact]
    public void TheOperatorTableListsExactlyTheManagedOps()
    {
        var table = SectionText()[SectionText().IndexOf("### What the managed backend runs", StringComparison.Ordinal)..];
        var listed = TableRow().Matches(table)
            .SelectMany(row => Parenthesis().Replace(row.Groups["ops"].Value, "").Split(", "))
            .Order(StringComparer.Ordinal);
        Assert.Equal(OperatorCatalog.SupportedOps, listed);
    }

    private static string SectionText()
    {
        var start = Readme.IndexOf(Section, StringComparison.Ordinal);
        Assert.True(start >= 0, $"README.md has no section \"{Section}\"");
        var end = Readme.IndexOf("\n## ", start + Section.Length, StringComparison.Ordinal);
        return Readme[start..(end < 0 ? Readme.Length : end)];
    }

    /// <summary>The first fenced block of <paramref name="language"/> in the section, after <paramref name="after"/> if given.</summary>
    private static string CodeBlock(string language, string? after = null)
    {
        var text = SectionText();
        var from = after is null ? 0 : text.IndexOf(after, StringComparison.Ordinal);
        Assert.True(from >= 0, $"the section does not mention {after}");
        var match = new Regex($"```{language}\\n(?<code>.*?)```", RegexOptions.Singleline).Match(text, from);
        Assert.True(match.Success, $"the section has no ```{language} block{(after is null ? "" : $" after {after}")}");
        return match.Groups["code"].Value;
    }

    /// <summary>The JSON body of the section's curl example (<c>-d '…'</c>).</summary>
    private static string CurlBody()
    {
        var match = CurlData().Match(CodeBlock("sh"));
        Assert.True(match.Success, "the section's curl example has no -d '…' body");
        return match.Groups["body"].Value;
    }

    [GeneratedRegex(@"-d '(?<body>[^']*)'")]
    private static partial Regex CurlData();

    [GeneratedRegex(@"^\| [a-z ]+ \| (?<ops>[A-Z].*) \|$", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    /// <summary>A note after an op's name, e.g. "(inference)".</summary>
    [GeneratedRegex(@"\s*\([^)]*\)")]
    private static partial Regex Parenthesis();
}
