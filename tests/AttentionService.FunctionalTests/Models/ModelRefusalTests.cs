using System.Net;
using System.Text.Json.Nodes;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Models;

/// <summary>
/// Models /attend cannot bind, or whose config is wrong, are refused at load with one line that names the file and
/// the field; they stay listed in /models, not ready, with the graph's own inputs and outputs, while the others serve.
/// </summary>
public sealed class ModelRefusalTests : IDisposable
{
    private readonly ModelRepository _repository = new();

    [Fact]
    public async Task AGraphThatCannotBeBoundWithoutAConfigListsItsNamesAndSuggestsAConfigThatBindsIt()
    {
        _repository.AddFixture("gru-bahdanau-step", name: "decoder", withConfig: false);
        string suggestion;
        using (var factory = _repository.Start(("Attention:Backend", "Onnx")))
        {
            var client = factory.CreateClient();
            var model = await Model(client, "decoder");
            var response = await client.PostRawAsync("""{"model": "decoder", "query": [[1]], "values": [[[1]]]}""");

            Assert.False((bool)model["ready"]!);
            var reason = (string)model["reason"]!;
            Assert.StartsWith("decoder.onnx: /attend cannot tell the roles of its inputs and outputs without a config", reason);
            Assert.Contains("The graph's inputs are 'input.1' INT64 [batch], 'onnx::Gemm_1' FP32 [batch, 16], 'onnx::MatMul_2' FP32 [batch, src, 16], 'onnx::Cast_3' BOOL [batch, src]", reason);
            Assert.Contains("its outputs are 'onnx::Concat_38' FP32 [batch, 16], 'onnx::Unsqueeze_33' FP32 [batch, src], 'onnx::Concat_109' FP32 [batch, 16], '111' FP32 [batch, 20]", reason);
            Assert.Contains("Bind them in decoder.json beside decoder.onnx", reason);
            suggestion = reason[reason.IndexOf(", e.g. {", StringComparison.Ordinal)..][", e.g. ".Length..];
            Assert.Equal("""{"inputs":{"input_1":"input.1","query":"onnx::Gemm_1","values":"onnx::MatMul_2","mask":"onnx::Cast_3"},"outputs":{"context":"onnx::Concat_38","weights":"onnx::Unsqueeze_33","onnx_concat_109":"onnx::Concat_109","tensor_111":"111"},"mask":{"meaning":"attend"}}""",
                SortedOutputs(suggestion));
            // Refused, yet the graph is shown as it is.
            Assert.Equal(["input.1", "onnx::Gemm_1", "onnx::MatMul_2", "onnx::Cast_3"], model["inputs"]!.AsArray().Select(i => (string)i!["name"]!));
            Assert.Equal(["INT64", "FP32", "FP32", "BOOL"], model["inputs"]!.AsArray().Select(i => (string)i!["datatype"]!));
            Assert.Equal(["batch", "src", "16"], model["inputs"]![2]!["dims"]!.AsArray().Select(d => (string)d!));
            Assert.Equal([-1L, -1L, 16L], model["inputs"]![2]!["shape"]!.AsArray().Select(d => (long)d!));
            Assert.Equal(4, model["outputs"]!.AsArray().Count);
            Assert.Null(model["binding"]);
            await Problems.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "model 'decoder' failed to load: decoder.onnx: /attend cannot tell");
            Assert.Equal("Degraded", (string?)(await (await client.GetAsync("/health/ready")).ReadObjectAsync())["status"]);
        }

        // The suggestion, written as the config, binds the graph.
        _repository.WriteConfig("decoder", suggestion);
        using (var factory = _repository.Start(("Attention:Backend", "Onnx")))
        {
            var model = await Model(factory.CreateClient(), "decoder");

            Assert.True((bool)model["ready"]!, (string?)model["reason"]);
            Assert.Equal("decoder.json", (string?)model["binding"]!["config"]);
        }
    }

    public static TheoryData<string, string, string, string> BadConfigs => new()
    {
        {
            "a graph input that does not exist", "seed-dot",
            """{"inputs": {"query": "q", "values": "onnx::Transpose_1"}}""",
            "bad.json: inputs.query: the graph has no input 'q'; its inputs are 'onnx::MatMul_0' FP32 [batch, tq, 16], 'onnx::Transpose_1' FP32 [batch, tk, 16]"
        },
        {
            "a graph output that does not exist", "seed-dot",
            """{"outputs": {"context": "5", "weights": "attn"}}""",
            "bad.json: outputs.weights: the graph has no output 'attn'; its outputs are '5' FP32 [batch, tq, 16], 'onnx::MatMul_4' FP32 [batch, tq, tk]"
        },
        {
            "an unknown field", "seed-dot",
            """{"inputs": {"query": "onnx::MatMul_0", "values": "onnx::Transpose_1"}, "maks": {"meaning": "ignore"}}""",
            "bad.json: unknown field 'maks'; fields are description, inputs, outputs, mask"
        },
        {
            "an unknown field in mask", "additive-masked",
            """{"inputs": {"query": "onnx::MatMul_0", "values": "onnx::MatMul_1", "mask": "onnx::Unsqueeze_2"}, "mask": {"meaning": "ignore", "value": 1}}""",
            "bad.json: unknown field 'mask.value'; mask has meaning"
        },
        {
            "a mask meaning that is not one", "additive-masked",
            """{"inputs": {"query": "onnx::MatMul_0", "values": "onnx::MatMul_1", "mask": "onnx::Unsqueeze_2"}, "mask": {"meaning": "invert"}}""",
            "bad.json: mask.meaning is 'invert'; allowed: attend, ignore, additive"
        },
        {
            "an additive meaning for a BOOL mask", "additive-masked",
            """{"inputs": {"query": "onnx::MatMul_0", "values": "onnx::MatMul_1", "mask": "onnx::Unsqueeze_2"}, "mask": {"meaning": "additive"}}""",
            "bad.json: mask.meaning: 'additive' adds the mask to the scores, so it needs an FP32 mask input; 'onnx::Unsqueeze_2' is BOOL [batch, tk]"
        },
        {
            "a mask meaning without a mask input", "seed-dot",
            """{"mask": {"meaning": "ignore"}}""",
            "bad.json: mask: no graph input is bound to mask, so mask.meaning has nothing to apply to"
        },
        {
            "a graph input left unbound", "gru-bahdanau-step",
            """{"inputs": {"query": "onnx::Gemm_1", "values": "onnx::MatMul_2", "mask": "onnx::Cast_3"}}""",
            "bad.json: inputs: graph input 'input.1' (INT64 [batch]) is not bound; give it a role (query, keys, values, mask) or an alias"
        },
        {
            "one graph input bound twice", "seed-dot",
            """{"inputs": {"query": "onnx::MatMul_0", "keys": "onnx::MatMul_0", "values": "onnx::Transpose_1"}}""",
            "bad.json: inputs.keys: graph input 'onnx::MatMul_0' is already bound to query"
        },
        {
            "no query", "seed-dot",
            """{"inputs": {"keys": "onnx::MatMul_0", "values": "onnx::Transpose_1"}}""",
            "bad.json: inputs: no graph input is bound to query; /attend needs query and values"
        },
        {
            "an INT64 input as a role", "gru-bahdanau-step",
            """{"inputs": {"query": "input.1", "state": "onnx::Gemm_1", "values": "onnx::MatMul_2", "mask": "onnx::Cast_3"}}""",
            "bad.json: inputs.query: graph input 'input.1' is INT64 [batch]; query must be FP32"
        },
        {
            "a field given twice", "seed-dot",
            """{"inputs": {"query": "onnx::MatMul_0", "query": "onnx::Transpose_1"}}""",
            "bad.json: inputs.query appears more than once"
        },
        {
            "a graph name that is not a string", "seed-dot",
            """{"inputs": {"query": 0, "values": "onnx::Transpose_1"}}""",
            "bad.json: inputs.query must be the name of a graph input (a non-empty string), not a number"
        },
        {
            "JSON with a trailing comma", "seed-dot",
            """{"description": "x",}""",
            "bad.json: not valid JSON (line 1, byte 21)"
        },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public async Task ABadConfigRefusesItsModelNamingTheFileAndField(string @case, string fixture, string config, string reason)
    {
        Assert.NotEmpty(@case);
        _repository.AddFixture(fixture, name: "bad", withConfig: false).WriteConfig("bad", config);
        using var factory = _repository.Start(("Attention:Backend", "Onnx"));
        var client = factory.CreateClient();

        var model = await Model(client, "bad");

        Assert.False((bool)model["ready"]!);
        Assert.StartsWith(reason, (string?)model["reason"]);
        Assert.DoesNotContain("\n", (string?)model["reason"]);
        Assert.NotEmpty(model["inputs"]!.AsArray());
        Assert.Equal(HttpStatusCode.OK, (await client.PostRawAsync("""{"query": [[1, 2]], "values": [[1, 2]]}""")).StatusCode);
    }

    /// <summary>The suggestion's outputs in a fixed order (aliases sorted), so the test does not pin the guess's order of extras.</summary>
    private static string SortedOutputs(string suggestion)
    {
        var config = JsonNode.Parse(suggestion)!.AsObject();
        var outputs = config["outputs"]!.AsObject().Select(p => (p.Key, Value: (string)p.Value!)).ToList();
        var sorted = new JsonObject();
        foreach (var (key, value) in outputs.Take(2).Concat(outputs.Skip(2).OrderBy(p => p.Key, StringComparer.Ordinal))) sorted[key] = value;
        config["outputs"] = sorted;
        return config.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private static async Task<JsonObject> Model(HttpClient client, string name) =>
        await (await client.GetAsync($"/models/{name}")).ReadObjectAsync();

    public void Dispose() => _repository.Dispose();
}
