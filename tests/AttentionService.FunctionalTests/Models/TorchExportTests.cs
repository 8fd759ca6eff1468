using System.Net;
using System.Text.Json.Nodes;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Models;

/// <summary>
/// Graphs exported by PyTorch, with torch's own names, served through /attend: bound by position where that is
/// unambiguous and by their config otherwise (masks that mean ignore or additive, int64 token inputs, extra outputs,
/// rank-2 queries), each answering torch's outputs.
/// </summary>
public sealed class TorchExportTests(TorchModelsHost host) : IClassFixture<TorchModelsHost>
{
    private readonly HttpClient _client = host.Client;

    public static TheoryData<string, int, string> DataSets()
    {
        var data = new TheoryData<string, int, string>();
        foreach (var fixture in TorchModelsHost.Fixtures)
            for (var set = 0; set < TorchFixtures.TestDataSets(fixture); set++)
                foreach (var backend in new[] { "onnx", "managed" })
                    data.Add(fixture, set, backend);
        return data;
    }

    [Theory]
    [MemberData(nameof(DataSets))]
    public async Task EachExportAnswersTorchsOutputsOnEitherBackend(string fixture, int set, string backend)
    {
        var body = FixtureRequests.Body(fixture, set, model: fixture);
        body["backend"] = backend;

        var response = await _client.PostRawAsync(body.ToJsonString());

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{fixture} set {set} on {backend}: {(int)response.StatusCode} {text}");
        var answer = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(backend, (string?)answer["backend"]);
        FixtureRequests.AssertMatchesTorch(fixture, set, answer);
    }

    [Fact]
    public async Task ADecoderStepReturnsItsStateAndLogitsWhenAskedAndOnlyThen()
    {
        var asked = await Answer(FixtureRequests.Body("gru-bahdanau-step", 0, "gru-bahdanau-step"));
        var body = FixtureRequests.Body("gru-bahdanau-step", 0, "gru-bahdanau-step");
        body.Remove("outputs");
        var notAsked = await Answer(body);

        Assert.Equal(["state", "logits"], asked["outputs"]!.AsObject().Select(p => p.Key));
        Assert.Equal([2, 16], FixtureRequests.Flatten(asked["outputs"]!["state"]!).Shape);
        Assert.Equal([2, 20], FixtureRequests.Flatten(asked["outputs"]!["logits"]!).Shape);
        Assert.Null(notAsked["outputs"]);
        Assert.Equal(asked["context"]!.ToJsonString(), notAsked["context"]!.ToJsonString());
    }

    [Fact]
    public async Task OutputsMayBeAskedForByGraphName()
    {
        var body = FixtureRequests.Body("gru-bahdanau-step", 0, "gru-bahdanau-step");
        body["outputs"] = new JsonArray("111");

        var answer = await Answer(body);

        FixtureRequests.AssertTensor(TorchFixtures.Outputs("gru-bahdanau-step", 0)[3], answer["outputs"]!["111"]!, "logits by graph name");
    }

    [Fact]
    public async Task ExtraInputsMayBeKeyedByGraphName()
    {
        var body = FixtureRequests.Body("gru-bahdanau-step", 1, "gru-bahdanau-step");
        var token = body["inputs"]!["token"]!.DeepClone();
        body["inputs"] = new JsonObject { ["input.1"] = token };

        var answer = await Answer(body);

        FixtureRequests.AssertMatchesTorch("gru-bahdanau-step", 1, answer);
    }

    [Fact]
    public async Task AnUnbatchedDecoderStepDropsTheBatchAxisOfContextAndWeightsOnly()
    {
        // Batch item 1 of set 0, sent without its batch axis: query [16], values [src][16], mask [src]. The token
        // is an extra input, given in its graph rank ([batch] = [1]), and extra outputs keep their batch axis too.
        var inputs = TorchFixtures.Inputs("gru-bahdanau-step", 0);
        var expected = TorchFixtures.Outputs("gru-bahdanau-step", 0);
        var body = new JsonObject
        {
            ["model"] = "gru-bahdanau-step",
            ["query"] = inputs[1].Item(1).ToJson(),
            ["values"] = inputs[2].Item(1).ToJson(),
            ["mask"] = inputs[3].Item(1).ToRequestMask("ignore"),
            ["inputs"] = new JsonObject { ["token"] = new JsonArray(JsonValue.Create((long)inputs[0].Values[1])) },
            ["outputs"] = new JsonArray("state"),
        };

        var answer = await Answer(body);

        FixtureRequests.AssertTensor(expected[0].Item(1), answer["context"]!, "context");
        FixtureRequests.AssertTensor(expected[1].Item(1), answer["weights"]!, "weights");
        FixtureRequests.AssertTensor(expected[2].Item(1) with { Shape = [1, 16] }, answer["outputs"]!["state"]!, "state");
    }

    [Fact]
    public async Task AFullMaskWhoseRowsAgreeIsAcceptedByAModelThatTakesOneRowPerSequence()
    {
        // additive-masked takes [batch, tk]; the same padding row repeated for every query is the same mask.
        var body = FixtureRequests.Body("additive-masked", 0, "additive-masked");
        var padding = body["mask"]!.AsArray();
        body["mask"] = new JsonArray(padding.Select(row => (JsonNode)new JsonArray(Enumerable.Repeat(0, 3).Select(_ => row!.DeepClone()).ToArray())).ToArray());

        var answer = await Answer(body);

        FixtureRequests.AssertMatchesTorch("additive-masked", 0, answer);
    }

    private async Task<JsonObject> Answer(JsonObject body)
    {
        var response = await _client.PostRawAsync(body.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }
}
