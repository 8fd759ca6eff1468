using System.Text.RegularExpressions;
using AttentionService.Registry;
using AttentionService.Tests.Support;
using Json.Schema;

namespace AttentionService.Tests.Models;

/// <summary>
/// docs/seq2seq-config.schema.json says what the service accepts: the shipped config and the documented example are
/// valid, and configs the service refuses for their shape are invalid against it too.
/// </summary>
public sealed class Seq2SeqConfigSchemaTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "seq2seq-config.schema.json")));

    [Fact]
    public void TheShippedConfigIsValid() =>
        AssertValid(File.ReadAllText(Path.Combine(Seq2SeqFolders.Dates, "seq2seq.json")), expected: true);

    [Fact]
    public void TheDocumentedExampleIsValid()
    {
        var markdown = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "model-config.md"));
        var examples = Regex.Matches(markdown, "```json seq2seq\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();

        Assert.Single(examples);
        AssertValid(examples[0], expected: true);
    }

    private const string Graphs = """
        "encoder": {"file": "encoder.onnx"}, "decoder": {"file": "decoder.onnx"}, "maxSourceLength": 64, "maxSteps": 16
        """;

    private const string Vocabulary = """
        "vocabulary": {"source": ["<pad>", "<unk>", "a"], "target": ["<s>", "</s>", "x"], "pad": "<pad>", "unknown": "<unk>", "start": "<s>", "end": "</s>"}
        """;

    [Theory]
    [InlineData("{" + Graphs + ", " + Vocabulary + ", \"beam\": 4}")]
    [InlineData("{" + Graphs + "}")]
    [InlineData("{\"encoder\": {\"file\": \"../x.onnx\"}, \"decoder\": {\"file\": \"decoder.onnx\"}, \"maxSourceLength\": 64, \"maxSteps\": 16, " + Vocabulary + "}")]
    [InlineData("{\"encoder\": {\"file\": \"encoder.onnx\", \"inputs\": {\"source\": \"tokens\"}}, \"decoder\": {\"file\": \"decoder.onnx\"}, \"maxSourceLength\": 64, \"maxSteps\": 16, " + Vocabulary + "}")]
    [InlineData("{\"encoder\": {\"file\": \"encoder.onnx\"}, \"decoder\": {\"file\": \"decoder.onnx\"}, \"maxSourceLength\": 64, \"maxSteps\": 0, " + Vocabulary + "}")]
    [InlineData("{" + Graphs + ", \"vocabulary\": {\"source\": [\"<pad>\", \"<unk>\", \"a\", \"a\"], \"target\": [\"<s>\", \"</s>\"], \"pad\": \"<pad>\", \"unknown\": \"<unk>\", \"start\": \"<s>\", \"end\": \"</s>\"}}")]
    [InlineData("{" + Graphs + ", \"vocabulary\": {\"source\": [\"<pad>\", \"<unk>\"], \"target\": [\"<s>\", \"</s>\"], \"pad\": \"<pad>\", \"start\": \"<s>\", \"end\": \"</s>\"}}")]
    [InlineData("[]")]
    public void WhatTheServiceRefusesForItsShapeTheSchemaRefuses(string config) => AssertValid(config, expected: false);

    [Theory]
    [InlineData("{" + Graphs + ", " + Vocabulary + "}")]
    [InlineData("{" + Graphs + ", " + Vocabulary + ", \"description\": \"d\"}")]
    public void WhatTheServiceAcceptsTheSchemaAccepts(string config) => AssertValid(config, expected: true);

    private static void AssertValid(string config, bool expected)
    {
        using var document = System.Text.Json.JsonDocument.Parse(config);
        var result = Schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(expected == result.IsValid, $"expected {(expected ? "valid" : "invalid")}: {config}");
        // The service's own reading agrees with the schema.
        var parsed = Record.Exception(() => Seq2SeqConfig.Parse("x/seq2seq.json", System.Text.Encoding.UTF8.GetBytes(config)));
        Assert.True(expected == parsed is null, $"the service {(parsed is null ? "accepts" : $"refuses ({parsed.Message})")}: {config}");
    }
}
