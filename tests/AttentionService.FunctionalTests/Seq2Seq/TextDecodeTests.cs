using System.Net;
using System.Text.Json.Nodes;
using AttentionService.Tests.Support;
using static AttentionService.Tests.Support.AttendClient;

namespace AttentionService.Tests.Seq2Seq;

/// <summary>
/// POST /attend with text through the real app, for the shipped <c>dates</c> model: each backend against torch's own
/// greedy decode (tests/fixtures/dates/reference.json), the two backends against each other, and a batch against its
/// sources one by one.
/// </summary>
public sealed class TextDecodeTests(AttentionServiceFactory factory) : IClassFixture<AttentionServiceFactory>
{
    /// <summary>
    /// ONNX Runtime and the managed kernels against torch (float32 each, summing in other orders, through 11 steps of a
    /// recurrent state): weights and context within this absolute error, the same as between the two backends.
    /// </summary>
    internal const double TorchTolerance = 1e-5;

    /// <summary>The two backends against each other, as the issue asks.</summary>
    internal const double BackendTolerance = 1e-5;

    private readonly HttpClient _client = factory.CreateClient();

    public static TheoryData<string, string> CasesOnEachBackend()
    {
        var data = new TheoryData<string, string>();
        foreach (var backend in new[] { "onnx", "managed" })
            foreach (var c in DatesReference.Cases)
                data.Add(backend, c.Source);
        return data;
    }

    public static TheoryData<string> Sources()
    {
        var data = new TheoryData<string>();
        foreach (var c in DatesReference.Cases) data.Add(c.Source);
        return data;
    }

    [Theory]
    [MemberData(nameof(CasesOnEachBackend))]
    public async Task EachBackendDecodesAsTorchDoes(string backend, string source)
    {
        var expected = DatesReference.For(source);

        var answer = await DecodeAsync(new { model = "dates", source, backend });

        Assert.Equal("dates", (string?)answer["model"]);
        Assert.Equal(backend, (string?)answer["backend"]);
        Assert.Equal(expected.SourceTokens, DatesReference.Strings(answer["sourceTokens"]));
        Assert.Equal(expected.OutputTokens, DatesReference.Strings(answer["outputTokens"]));
        Assert.Equal(expected.Output, (string?)answer["output"]);
        Assert.Equal(expected.Stop, (string?)answer["stop"]);
        Numerics.AssertClose(expected.Weights, Matrix(answer["weights"]), TorchTolerance, "weights");
        Numerics.AssertClose(expected.Context, Matrix(answer["context"]), TorchTolerance, "context");
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task BothBackendsGiveTheSameTextAndWeights(string source)
    {
        var onnx = await DecodeAsync(new { model = "dates", source, backend = "onnx" });
        var managed = await DecodeAsync(new { model = "dates", source, backend = "managed" });

        Assert.Equal((string?)onnx["output"], (string?)managed["output"]);
        Assert.Equal(DatesReference.Strings(onnx["outputTokens"]), DatesReference.Strings(managed["outputTokens"]));
        Numerics.AssertClose(Matrix(onnx["weights"]), Matrix(managed["weights"]), BackendTolerance, "weights");
        Numerics.AssertClose(Matrix(onnx["context"]), Matrix(managed["context"]), BackendTolerance, "context");
    }

    [Theory]
    [InlineData("onnx")]
    [InlineData("managed")]
    public async Task ABatchOfSourcesOfDifferentLengthsEqualsEachSourceAlone(string backend)
    {
        var sources = DatesReference.Cases.Select(c => c.Source).ToArray();

        var batch = await DecodeAsync(new { model = "dates", sources, backend });

        Assert.Null(batch["output"]);
        var results = batch["results"]!.AsArray();
        Assert.Equal(sources.Length, results.Count);
        for (var i = 0; i < sources.Length; i++)
        {
            var alone = await DecodeAsync(new { model = "dates", source = sources[i], backend });
            var result = results[i]!;
            foreach (var field in new[] { "sourceTokens", "outputTokens" })
                Assert.Equal(DatesReference.Strings(alone[field]), DatesReference.Strings(result[field]));
            Assert.Equal((string?)alone["output"], (string?)result["output"]);
            Assert.Equal((string?)alone["stop"], (string?)result["stop"]);
            Numerics.AssertClose(Matrix(alone["weights"]), Matrix(result["weights"]), BackendTolerance, $"{sources[i]} weights");
            Numerics.AssertClose(Matrix(alone["context"]), Matrix(result["context"]), BackendTolerance, $"{sources[i]} context");
        }
    }

    [Fact]
    public async Task WeightsHaveOneRowPerOutputTokenAndOneColumnPerSourceCharacterEachSummingToOne()
    {
        var answer = await DecodeAsync(new { model = "dates", source = "Sat, Jul 4, 1987" });

        var weights = Matrix(answer["weights"]);
        Assert.Equal(DatesReference.Strings(answer["outputTokens"]).Length, weights.Length);
        Assert.All(weights, row => Assert.Equal("Sat, Jul 4, 1987".Length, row.Length));
        Assert.All(weights, row => Assert.InRange(row.Sum(), 1 - 1e-5, 1 + 1e-5));
        Assert.Equal(weights.Length, Matrix(answer["context"]).Length);
    }

    [Theory]
    [InlineData("24 November 2026 ☃")]
    [InlineData("24 November 2026 😀")]
    public async Task ACharacterOutsideTheVocabularyIsOneUnknownTokenNotAnError(string source)
    {
        var answer = await DecodeAsync(new { model = "dates", source });

        // One token per character (Unicode scalar), so one weight column per character as the user counts them.
        var tokens = DatesReference.Strings(answer["sourceTokens"]);
        Assert.Equal(18, tokens.Length);
        Assert.Equal("<unk>", tokens[^1]);
        Assert.Equal(18, Matrix(answer["weights"])[0].Length);
    }

    [Fact]
    public async Task ATensorRequestToTheSeq2SeqModelRunsOneDecoderStep()
    {
        var hidden = (int)(await _client.GetObjectAsync("/models/dates"))["seq2seq"]!["decoder"]!["inputs"]!.AsArray()
            .Single(i => (string?)i!["name"] == "query")!["shape"]![1]!;
        var dv = (int)(await _client.GetObjectAsync("/models/dates"))["seq2seq"]!["decoder"]!["inputs"]!.AsArray()
            .Single(i => (string?)i!["name"] == "values")!["shape"]![2]!;
        var query = new float[hidden];
        var values = new[] { new float[dv], new float[dv] };
        values[0][0] = 1;
        values[1][1] = 1;

        var response = await _client.PostAttendAsync(new { model = "dates", query, values, inputs = new { token = new[] { 1L } }, outputs = new[] { "logits" } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.ReadObjectAsync();
        Assert.Equal(2, answer["weights"]!.AsArray().Count);
        Assert.Equal(dv, answer["context"]!.AsArray().Count);
        Assert.NotNull(answer["outputs"]!["logits"]);
    }

    [Fact]
    public async Task ModelsSayWhichFormsEachModelTakes()
    {
        var models = (await _client.GetObjectAsync("/models"))["models"]!.AsArray();

        foreach (var model in models)
        {
            var name = (string)model!["name"]!;
            var forms = DatesReference.Strings(model["forms"]);
            Assert.Equal(name == "dates" ? ["text", "tensors"] : ["tensors"], forms);
            Assert.Equal(name == "dates", model["seq2seq"] is not null);
        }
        var dates = await _client.GetObjectAsync("/models/dates");
        var seq2seq = dates["seq2seq"]!;
        Assert.True((bool)dates["ready"]!);
        Assert.Equal("dates/seq2seq.json", (string?)seq2seq["config"]);
        Assert.Equal("dates/encoder.onnx", (string?)seq2seq["encoder"]!["file"]);
        Assert.Equal("dates/decoder.onnx", (string?)seq2seq["decoder"]!["file"]);
        Assert.Equal(["tokens", "values", "state"], seq2seq["encoder"]!["roles"]!.AsArray().Select(r => (string)r!["name"]!));
        Assert.True((int)seq2seq["vocabulary"]!["target"]! > 3);
        Assert.True((int)seq2seq["maxSourceLength"]! >= 20);
        Assert.True((int)seq2seq["maxSteps"]! >= 11);
    }

    [Theory]
    [InlineData("context", "weights")]
    [InlineData("weights", "context")]
    public async Task IncludeLeavesAPartOutOfEveryResult(string kept, string leftOut)
    {
        var whole = await DecodeAsync(new { model = "dates", sources = new[] { "24 November 2026", "1/2/2003" }, backend = "managed" });
        var part = await DecodeAsync(new { model = "dates", sources = new[] { "24 November 2026", "1/2/2003" }, backend = "managed", include = new[] { kept } });

        var results = part["results"]!.AsArray();
        Assert.Equal(2, results.Count);
        for (var i = 0; i < results.Count; i++)
        {
            Assert.False(results[i]!.AsObject().ContainsKey(leftOut), $"results[{i}] has {leftOut}");
            Assert.Equal(whole["results"]![i]![kept]!.ToJsonString(), results[i]![kept]!.ToJsonString());
            Assert.Equal((string?)whole["results"]![i]!["output"], (string?)results[i]!["output"]);
        }
    }

    private async Task<JsonObject> DecodeAsync(object body)
    {
        var response = await _client.PostAttendAsync(body);
        var answer = await response.ReadObjectAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, answer.ToJsonString());
        return answer;
    }
}
