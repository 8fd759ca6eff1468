using System.Text.RegularExpressions;
using AttentionService.Tests.Support;
using Json.Schema;

namespace AttentionService.Tests.Models;

/// <summary>
/// docs/model-config.schema.json says what the service accepts: the fixtures' configs and the documented example
/// are valid, and configs the service refuses for their shape are invalid against it too.
/// </summary>
public sealed class ModelConfigSchemaTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "model-config.schema.json")));

    public static TheoryData<string> FixtureConfigs()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(TorchFixtures.Folder, "model.json", SearchOption.AllDirectories).Order())
            data.Add(Path.GetRelativePath(TorchFixtures.Folder, path));
        return data;
    }

    [Theory]
    [MemberData(nameof(FixtureConfigs))]
    public void EveryFixtureConfigIsValid(string config) =>
        AssertValid(File.ReadAllText(Path.Combine(TorchFixtures.Folder, config)), expected: true);

    [Fact]
    public void TheDocumentedExampleIsValid()
    {
        var markdown = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "model-config.md"));
        var examples = Regex.Matches(markdown, "```json\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();

        Assert.NotEmpty(examples);
        Assert.All(examples, example => AssertValid(example, expected: true));
    }

    [Theory]
    [InlineData("""{"maks": {"meaning": "ignore"}}""")]
    [InlineData("""{"mask": {"meaning": "invert"}}""")]
    [InlineData("""{"mask": {"meaning": "ignore", "value": 1}}""")]
    [InlineData("""{"inputs": {"query": 0, "values": "v"}}""")]
    [InlineData("""{"inputs": {"query": "", "values": "v"}}""")]
    [InlineData("""{"inputs": {"keys": "k", "values": "v"}}""")]
    [InlineData("""{"outputs": {"context": "c"}}""")]
    [InlineData("""{"inputs": {"query": "q", "values": "v", "": "x"}}""")]
    [InlineData("""{"description": 5}""")]
    [InlineData("""[]""")]
    public void WhatTheServiceRefusesForItsShapeTheSchemaRefuses(string config) => AssertValid(config, expected: false);

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"mask": {}}""")]
    [InlineData("""{"description": "only a description"}""")]
    [InlineData("""{"inputs": {"query": "q", "values": "v", "cell": "c"}, "outputs": {"context": "c", "weights": "w", "cell": "c2"}}""")]
    public void WhatTheServiceAcceptsTheSchemaAccepts(string config) => AssertValid(config, expected: true);

    private static void AssertValid(string config, bool expected)
    {
        using var document = System.Text.Json.JsonDocument.Parse(config);
        var result = Schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(expected == result.IsValid,
            $"expected {(expected ? "valid" : "invalid")}: {config}\n{string.Join("\n", (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")))}");
    }
}
