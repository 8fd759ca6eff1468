using System.Net;
using System.Text.Json.Nodes;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;
using AttentionService.Tests.Support;
using DataType = AttentionService.Onnx.Protos.TensorProto.Types.DataType;

namespace AttentionService.Tests.Models;

/// <summary>
/// Extra inputs and outputs of every element type the service serves, through a graph built here: BOOL and INT64
/// inputs from the request's JSON, INT64 and BOOL outputs written back exactly (int64 beyond 2^53 included), and a
/// config that binds only the inputs, leaving context and weights bound by name.
/// </summary>
public sealed class TypedTensorTests : IDisposable
{
    private readonly ModelRepository _repository = new();
    private readonly AttentionServiceFactory _factory;
    private readonly HttpClient _client;

    public TypedTensorTests()
    {
        _repository.WriteModel("typed", TypedModel()).WriteConfig("typed", """
            {
              "description": "dot attention with a BOOL flag and an INT64 step passed through",
              "inputs": {"query": "query", "values": "values", "flag": "flag_in", "step": "step_in"}
            }
            """);
        _factory = _repository.Start(("Attention:Backend", "Onnx"));
        _client = _factory.CreateClient();
    }

    /// <summary>softmax(q vᵀ) v, plus step + 1 (INT64) and not flag (BOOL).</summary>
    private static ModelProto TypedModel()
    {
        var g = new GraphBuilder("typed");
        g.Input("query", "batch", "tq", "d");
        g.Input("values", "batch", "tv", "d");
        g.Input("flag_in", DataType.Bool, "batch");
        g.Input("step_in", DataType.Int64, "batch");
        var one = g.Initializer("one", [1L]);
        var valuesT = g.Node("Transpose", ["values"], "values_t", GraphBuilder.Attribute("perm", 0L, 2L, 1L));
        var scores = g.Node("MatMul", ["query", valuesT], "scores");
        g.Node("Softmax", [scores], "weights", GraphBuilder.Attribute("axis", -1L));
        g.Node("MatMul", ["weights", "values"], "context");
        g.Node("Add", ["step_in", one], "step_next");
        g.Node("Not", ["flag_in"], "flag_not");
        g.Output("context", "batch", "tq", "d");
        g.Output("weights", "batch", "tq", "tv");
        g.Output("step_next", DataType.Int64, "batch");
        g.Output("flag_not", DataType.Bool, "batch");
        return g.ToModel(17, "typed test model", []);
    }

    private static JsonObject Body(string flag, string step) => JsonNode.Parse($$"""
        {
          "model": "typed",
          "query": [[[1, 0]], [[0, 1]]],
          "values": [[[1, 0], [0, 1]], [[1, 0], [0, 1]]],
          "inputs": {"flag": {{flag}}, "step": {{step}}},
          "outputs": ["step_next", "flag_not"]
        }
        """)!.AsObject();

    [Fact]
    public async Task Int64AndBoolInputsAndOutputsRoundTripExactly()
    {
        var response = await _client.PostRawAsync(Body("[true, false]", "[9007199254740993, -7]").ToJsonString());

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        // The answer's text itself: an int64 past 2^53 must not pass through a double.
        Assert.Contains("\"outputs\":{\"step_next\":[9007199254740994,-6],\"flag_not\":[false,true]}", text);
    }

    [Fact]
    public async Task AConfigWithoutOutputsLeavesContextAndWeightsBoundByName()
    {
        var model = await (await _client.GetAsync("/models/typed")).ReadObjectAsync();

        Assert.True((bool)model["ready"]!, (string?)model["reason"]);
        Assert.Equal("config", (string?)model["binding"]!["inputs"]![2]!["boundBy"]);
        Assert.Equal("flag", (string?)model["binding"]!["inputs"]![2]!["name"]);
        Assert.Equal(["context", "weights"], model["binding"]!["outputs"]!.AsArray().Select(o => (string)o!["name"]!));
        Assert.All(model["binding"]!["outputs"]!.AsArray(), o => Assert.Equal("name", (string?)o!["boundBy"]));
        Assert.Equal(["FP32", "FP32", "INT64", "BOOL"], model["outputs"]!.AsArray().Select(o => (string)o!["datatype"]!));
        Assert.Equal("dot attention with a BOOL flag and an INT64 step passed through", (string?)model["description"]);
    }

    [Theory]
    [InlineData("[1, 0]", "[1, 2]", "inputs.flag[0] is a number, expected a boolean")]
    [InlineData("[true, false]", "[1, 2.0]", "inputs.step[1] = 2.0 is not an integer; inputs.step takes INT64")]
    [InlineData("[true, false]", "[1, \"2\"]", "inputs.step[1] is a string, expected an integer")]
    [InlineData("[true, false]", "[[1, 2], [3]]", "inputs.step[1] has 1 integer, expected 2")]
    [InlineData("[true, false]", "[]", "inputs.step is empty")]
    [InlineData("[true, false]", "3", "inputs.step must be a nested array, got a number")]
    public async Task ExtraInputsAreParsedAsTheirGraphInputsElementType(string flag, string step, string detail)
    {
        var response = await _client.PostRawAsync(Body(flag, step).ToJsonString());

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, detail);
    }

    [Fact]
    public async Task AnExtraInputOverTheElementLimitIs413()
    {
        using var limited = _repository.Start(("Attention:Backend", "Onnx"), ("Attention:Limits:MaxElements", "8"));
        var step = "[" + string.Join(", ", Enumerable.Range(0, 9)) + "]";

        var response = await limited.CreateClient().PostRawAsync(Body("[true, false]", step).ToJsonString());

        await Problems.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "inputs.step has more than 8 integers (Attention:Limits:MaxElements)");
    }

    public void Dispose()
    {
        _factory.Dispose();
        _repository.Dispose();
    }
}
