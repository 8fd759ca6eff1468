using System.Net;
using System.Text.Json.Nodes;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Models;

/// <summary>
/// Requests that do not fit a bound model: fixed dimensions named by role, extra inputs and outputs by name, role
/// tensors of the wrong rank, masks the model's mask cannot express. Each is a 4xx whose detail says what to send.
/// </summary>
public sealed class BoundRequestErrorTests(TorchModelsHost host) : IClassFixture<TorchModelsHost>
{
    private readonly HttpClient _client = host.Client;

    private static JsonObject Gru() => FixtureRequests.Body("gru-bahdanau-step", 0, "gru-bahdanau-step");

    public static TheoryData<string, Func<JsonObject>, HttpStatusCode, string> Cases => new()
    {
        {
            "a batch the export fixed at 2", () => Random("fixed-batch", [3, 3, 16], [3, 5, 16]), HttpStatusCode.UnprocessableEntity,
            "model 'fixed-batch' takes batch = 2 exactly (query [2, 3, 16]); query has batch = 3"
        },
        {
            "no batch axis for a fixed batch of 2", () => Random("fixed-batch", [3, 16], [5, 16]), HttpStatusCode.UnprocessableEntity,
            "model 'fixed-batch' takes batch = 2 exactly (query [2, 3, 16]); query has no batch axis, so batch = 1"
        },
        {
            "a key length the export fixed at 5", () => Random("fixed-batch", [2, 3, 16], [2, 4, 16]), HttpStatusCode.UnprocessableEntity,
            "model 'fixed-batch' takes key length = 5 exactly (values [2, 5, 16]); values has key length = 4"
        },
        {
            "an output the model does not have", () => With(Gru(), b => b["outputs"] = new JsonArray("state", "hidden")), HttpStatusCode.BadRequest,
            "model 'gru-bahdanau-step' has no output 'hidden'; its outputs are context (onnx::Concat_38), weights (onnx::Unsqueeze_33), state (onnx::Concat_109), logits (111)"
        },
        {
            "an int64 input given 1.5", () => With(Gru(), b => b["inputs"]!["token"] = Json("[1.5, 2]")), HttpStatusCode.BadRequest,
            "inputs.token[0] = 1.5 is not an integer; inputs.token takes INT64"
        },
        {
            "an int64 input given booleans", () => With(Gru(), b => b["inputs"]!["token"] = Json("[true, false]")), HttpStatusCode.BadRequest,
            "inputs.token[0] is a boolean, expected an integer"
        },
        {
            "an int64 input past the int64 range", () => With(Gru(), b => b["inputs"]!["token"] = Json("[1, 99999999999999999999]")), HttpStatusCode.BadRequest,
            "inputs.token[1] = 99999999999999999999 is outside the int64 range"
        },
        {
            "an extra input in the wrong rank", () => With(Gru(), b => b["inputs"]!["token"] = Json("[[3], [5]]")), HttpStatusCode.BadRequest,
            "inputs.token has rank 2; model 'gru-bahdanau-step' takes token as INT64 [batch]"
        },
        {
            "an extra input whose batch differs", () => With(Gru(), b => b["inputs"]!["token"] = Json("[3, 5, 7]")), HttpStatusCode.UnprocessableEntity,
            "inputs.token has batch = 3"
        },
        {
            "a required extra input left out", () => With(Gru(), b => b.Remove("inputs")), HttpStatusCode.BadRequest,
            "model 'gru-bahdanau-step' needs inputs.token (INT64 [batch]); send it in the request's \"inputs\""
        },
        {
            "an extra input the model does not have", () => With(Gru(), b => b["inputs"]!["tokn"] = Json("[1, 2]")), HttpStatusCode.BadRequest,
            "model 'gru-bahdanau-step' has no input 'tokn' to feed from inputs; its inputs beyond the roles are token (INT64 [batch])"
        },
        {
            "a role sent in inputs", () => With(Gru(), b => b["inputs"]!["query"] = Json("[[1]]")), HttpStatusCode.BadRequest,
            "inputs.query: query is a role; send it as the request's own \"query\""
        },
        {
            "one input by alias and by graph name", () => With(Gru(), b => b["inputs"]!["input.1"] = Json("[1, 2]")), HttpStatusCode.BadRequest,
            "inputs.token and inputs.input.1 both name graph input 'input.1'"
        },
        {
            "a rank-3 query to a model whose query is [batch, hidden]", () => With(Gru(), b => b["query"] = Json("[[[1, 2]]]")), HttpStatusCode.BadRequest,
            "query has rank 3; send [d] or [batch][d]"
        },
        {
            "rank-2 values beside a batched rank-2 query", () => With(Gru(), b => b["values"] = Json("[[1, 2], [3, 4]]")), HttpStatusCode.BadRequest,
            "values has rank 2; with query batched as [batch][d], send values as [batch][tv][dv]"
        },
        {
            "a per-query mask to a model that takes one row per sequence", () => With(FixtureRequests.Body("additive-masked", 0, "additive-masked"),
                b => b["mask"] = Json("[[[true, true, true, true, true], [true, false, true, true, true], [true, true, true, true, true]], [[true, true, true, true, true], [true, true, true, true, true], [true, true, true, true, true]]]")),
            HttpStatusCode.UnprocessableEntity,
            "this model takes one mask row per sequence ([batch, tv]), but the mask gives batch 0, query positions 0 and 1 different rows"
        },
        {
            "causal to a model that takes one mask row per sequence", () => With(FixtureRequests.Body("additive-masked", 0, "additive-masked"), b => b["causal"] = true),
            HttpStatusCode.UnprocessableEntity, "causal cannot apply to it"
        },
        {
            "a mask to a model without one", () => With(FixtureRequests.Body("seed-dot", 0, "seed-dot"), b => b["causal"] = true),
            HttpStatusCode.UnprocessableEntity, "model 'seed-dot' takes no mask, so neither mask nor causal applies; inputs are query, values"
        },
        {
            "inputs that is not an object", () => With(Gru(), b => b["inputs"] = Json("[1]")), HttpStatusCode.BadRequest,
            "inputs must be an object of tensors keyed by input name, got an array"
        },
        {
            "outputs that is not an array of names", () => With(Gru(), b => b["outputs"] = Json("[1]")), HttpStatusCode.BadRequest,
            "outputs[0] is a number, expected an output name"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ARequestThatDoesNotFitTheBoundModelSaysWhatToSend(string @case, Func<JsonObject> body, HttpStatusCode status, string detail)
    {
        Assert.NotEmpty(@case);

        await Problems.AssertProblemAsync(await _client.PostRawAsync(body().ToJsonString()), status, detail);
    }

    [Fact]
    public async Task CausalOnAnAdditiveMaskGivesMaskedPositionsWeightZero()
    {
        var body = FixtureRequests.Body("dot-additive-mask", 0, "dot-additive-mask");
        body.Remove("mask");
        body["causal"] = true;

        var response = await _client.PostRawAsync(body.ToJsonString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var weights = AttendClient.Batch((await response.ReadObjectAsync())["weights"]);
        foreach (var item in weights)
            for (var i = 0; i < item.Length; i++)
            {
                Assert.All(item[i][(i + 1)..], w => Assert.Equal(0f, w));
                Assert.Equal(1f, item[i].Sum(), 5);
            }
    }

    private static JsonObject Random(string model, int[] query, int[] values)
    {
        var rng = new Random(query.Sum() * 31 + values.Sum());
        return new JsonObject { ["model"] = model, ["query"] = Nested(rng, query), ["values"] = Nested(rng, values) };
    }

    private static JsonNode Nested(Random rng, int[] shape) => shape.Length == 1
        ? new JsonArray(Enumerable.Range(0, shape[0]).Select(_ => (JsonNode)JsonValue.Create((float)(rng.NextDouble() * 2 - 1))).ToArray())
        : new JsonArray(Enumerable.Range(0, shape[0]).Select(_ => Nested(rng, shape[1..])).ToArray());

    private static JsonNode Json(string text) => JsonNode.Parse(text)!;

    private static JsonObject With(JsonObject body, Action<JsonObject> change)
    {
        change(body);
        return body;
    }
}
