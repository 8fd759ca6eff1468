using System.Net;
using System.Text.Json.Nodes;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Models;

/// <summary>
/// The answer options on graphs PyTorch exported: <c>nn.MultiheadAttention</c>'s per-head weights averaged by the
/// service on either backend equal torch's own per-head weights averaged; a decoder step (query [batch, hidden]) takes
/// one query label and one key label per source position, and has no heads to average.
/// </summary>
public sealed class LayerOptionsTorchTests(TorchModelsHost host) : IClassFixture<TorchModelsHost>
{
    private readonly HttpClient _client = host.Client;

    public static TheoryData<string, int, string> MultiHeadSets()
    {
        var data = new TheoryData<string, int, string>();
        foreach (var fixture in new[] { "torch-mha", "torch-mha-padding", "multihead-custom" })
            for (var set = 0; set < TorchFixtures.TestDataSets(fixture); set++)
                foreach (var backend in new[] { "onnx", "managed" })
                    data.Add(fixture, set, backend);
        return data;
    }

    [Theory]
    [MemberData(nameof(MultiHeadSets))]
    public async Task AveragedHeadsEqualTorchsPerHeadWeightsAveraged(string fixture, int set, string backend)
    {
        var body = FixtureRequests.Body(fixture, set, model: fixture, backend);
        body["heads"] = "average";

        var answer = await AttendAsync(body);

        var torch = TorchFixtures.Outputs(fixture, set)[Array.IndexOf(TorchFixtures.OutputRoles(fixture), "weights")];
        var (batch, heads, tq, tk) = (torch.Shape[0], torch.Shape[1], torch.Shape[2], torch.Shape[3]);
        var expected = new double[batch * tq * tk];
        for (var b = 0; b < batch; b++)
            for (var i = 0; i < tq * tk; i++)
            {
                double sum = 0;
                for (var h = 0; h < heads; h++) sum += torch.Values[(b * heads + h) * tq * tk + i];
                expected[b * tq * tk + i] = sum / heads;
            }
        var (shape, actual) = FixtureRequests.Flatten(answer["weights"]!);
        Assert.Equal([batch, tq, tk], shape);
        Numerics.AssertClose(expected, actual.Select(v => (float)v).ToArray(), FixtureRequests.Tolerance, $"{fixture} set {set} averaged weights");
    }

    [Fact]
    public async Task ModelsShowTheHeadsOfTorchsMultiHeadExportsOnly()
    {
        var mha = JsonNode.Parse(await _client.GetStringAsync("/models/torch-mha"))!;
        var step = JsonNode.Parse(await _client.GetStringAsync("/models/gru-bahdanau-step"))!;

        Assert.Equal(4, (int?)mha["heads"]);
        Assert.Null(step["heads"]);
    }

    [Fact]
    public async Task ADecoderStepTakesOneQueryLabelAndOneKeyLabelPerSourcePosition()
    {
        var body = FixtureRequests.Body("gru-bahdanau-step", 0, "gru-bahdanau-step");
        var source = TorchFixtures.Inputs("gru-bahdanau-step", 0)[Array.IndexOf(TorchFixtures.InputRoles("gru-bahdanau-step"), "values")].Shape[1];
        var keys = Enumerable.Range(0, source).Select(i => (JsonNode)$"s{i}").ToArray();
        body["tokens"] = new JsonObject { ["query"] = new JsonArray("<s>"), ["keys"] = new JsonArray(keys) };

        var answer = await AttendAsync(body);

        Assert.Equal(body["tokens"]!.ToJsonString(), answer["tokens"]!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"query": ["a", "b"]}""", null, "tokens.query has 2 labels, expected 1 (tq, the query's positions)")]
    [InlineData(null, "average", "model 'gru-bahdanau-step' answers weights [batch, src] without a heads axis")]
    public async Task ADecoderStepRefusesLabelsPerStepAndAveraging(string? tokens, string? heads, string detail)
    {
        var body = FixtureRequests.Body("gru-bahdanau-step", 0, "gru-bahdanau-step");
        if (tokens is not null) body["tokens"] = JsonNode.Parse(tokens);
        if (heads is not null) body["heads"] = heads;

        await Problems.AssertProblemAsync(await _client.PostRawAsync(body.ToJsonString()), HttpStatusCode.BadRequest, detail);
    }

    private async Task<JsonObject> AttendAsync(JsonObject body)
    {
        var response = await _client.PostRawAsync(body.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }
}
