using System.Text.Json.Nodes;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Models;

/// <summary>/models shows each graph's own inputs and outputs and the binding /attend uses: role or alias, graph name, how bound.</summary>
public sealed class BindingMetadataTests(TorchModelsHost host) : IClassFixture<TorchModelsHost>
{
    private readonly HttpClient _client = host.Client;

    [Fact]
    public async Task APositionalBindingNamesEachRolesGraphTensor()
    {
        var model = await Model("seed-dot");

        Assert.True((bool)model["ready"]!);
        Assert.Equal(["query onnx::MatMul_0 position", "values onnx::Transpose_1 position"], Entries(model["binding"]!["inputs"]!));
        Assert.Equal(["context 5 position", "weights onnx::MatMul_4 position"], Entries(model["binding"]!["outputs"]!));
        Assert.Null(model["binding"]!["maskMeaning"]);
        Assert.Null(model["binding"]!["config"]);
    }

    [Fact]
    public async Task ThreeFloatInputsBindAsQueryKeysValues()
    {
        var model = await Model("torch-mha");

        Assert.Equal(["query query.1 position", "keys key.1 position", "values value.1 position"], Entries(model["binding"]!["inputs"]!));
    }

    [Fact]
    public async Task AConfiguredBindingShowsAliasesTheMaskMeaningAndTheConfigsDescription()
    {
        var model = await Model("gru-bahdanau-step");

        Assert.Equal(["token input.1 config", "query onnx::Gemm_1 config", "values onnx::MatMul_2 config", "mask onnx::Cast_3 config"],
            Entries(model["binding"]!["inputs"]!));
        Assert.Equal(["context onnx::Concat_38 config", "weights onnx::Unsqueeze_33 config", "state onnx::Concat_109 config", "logits 111 config"],
            Entries(model["binding"]!["outputs"]!));
        Assert.Equal("ignore", (string?)model["binding"]!["maskMeaning"]);
        Assert.Equal("gru-bahdanau-step.json", (string?)model["binding"]!["config"]);
        Assert.StartsWith("Decoder step: token int64 [batch]", (string?)model["description"]);
        Assert.Equal(["INT64", "FP32", "FP32", "BOOL"], model["inputs"]!.AsArray().Select(i => (string)i!["datatype"]!));
    }

    [Fact]
    public async Task TheShippedModelsBindByNameWithAnAttendMask()
    {
        var model = await Model("luong-dot");

        Assert.Equal(["query query name", "keys keys name", "values values name", "mask mask name"], Entries(model["binding"]!["inputs"]!));
        Assert.Equal(["context context name", "weights weights name"], Entries(model["binding"]!["outputs"]!));
        Assert.Equal("attend", (string?)model["binding"]!["maskMeaning"]);
    }

    [Fact]
    public async Task FixedDimensionsOfAnExportAreReported()
    {
        var model = await Model("fixed-batch");

        var query = model["inputs"]![0]!;
        Assert.Equal([2L, 3L, 16L], query["shape"]!.AsArray().Select(d => (long)d!));
        Assert.Equal(["2", "3", "16"], query["dims"]!.AsArray().Select(d => (string)d!));
    }

    private async Task<JsonObject> Model(string name) => await (await _client.GetAsync($"/models/{name}")).ReadObjectAsync();

    private static IEnumerable<string> Entries(JsonNode entries) =>
        entries.AsArray().Select(e => $"{e!["name"]} {e["graph"]} {e["boundBy"]}");
}
