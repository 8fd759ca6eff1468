using System.Text.Json;
using System.Net;
using System.Text.Json.Nodes;
using AttentionService.Tests.Reference;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Http;

/// <summary>
/// Every model, both backends, over shapes and the request options (keys, padding and full masks, causal): the two
/// backends agree within 1e-5, masked weights are exactly 0, every row sums to 1, and the dot-product models match the
/// independent reference.
/// </summary>
public sealed class RequestOptionsTests(AttentionServiceFactory factory) : IClassFixture<AttentionServiceFactory>
{
    private const double Tolerance = 1e-5;
    private const int D = 64;

    private readonly HttpClient _client = factory.CreateClient();

    public static TheoryData<string, int, int, int, string> Cases()
    {
        var data = new TheoryData<string, int, int, int, string>();
        string[] models = ["luong-dot", "scaled-dot", "luong-general", "bahdanau", "multihead"];
        (int Batch, int Tq, int Tv)[] shapes = [(1, 1, 1), (1, 1, 32), (2, 5, 7), (3, 4, 1), (1, 96, 128)];
        string[] options = ["none", "keys", "padding", "causal", "full-mask"];
        var i = 0;
        foreach (var model in models)
            foreach (var (batch, tq, tv) in shapes)
                data.Add(model, batch, tq, tv, options[i++ % options.Length]);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BackendsAgreeMaskedWeightsAreZeroAndRowsSumToOne(string model, int batch, int tq, int tv, string option)
    {
        var rng = new Random(HashCode.Combine(model, batch, tq, tv, option) & 0x7fffffff);
        var query = Tensor3(rng, batch, tq, D);
        var values = Tensor3(rng, batch, tv, D);
        var keys = option == "keys" ? Tensor3(rng, batch, tv, D) : null;
        var mask = option switch
        {
            // Padding: each item attends to its first lengths[b] positions (at least one).
            "padding" => Enumerable.Range(0, batch).Select(_ => { var n = rng.Next(1, tv + 1); return Enumerable.Range(0, tv).Select(j => j < n).ToArray(); }).ToArray<object>(),
            "full-mask" => Enumerable.Range(0, batch).Select(_ => Enumerable.Range(0, tq).Select(_ =>
                { var row = Enumerable.Range(0, tv).Select(_ => rng.Next(3) > 0).ToArray(); row[rng.Next(tv)] = true; return row; }).ToArray()).ToArray<object>(),
            _ => null,
        };
        var causal = option == "causal";
        var body = new JsonObject
        {
            ["model"] = model,
            ["query"] = JsonSerializerNode(query),
            ["values"] = JsonSerializerNode(values),
            ["causal"] = causal,
        };
        if (keys is not null) body["keys"] = JsonSerializerNode(keys);
        if (mask is not null) body["mask"] = JsonSerializerNode(mask);

        var onnx = await AttendAsync(body, "onnx");
        var managed = await AttendAsync(body, "managed");

        var onnxWeights = Flatten(onnx["weights"]);
        Numerics.AssertClose(Flatten(onnx["context"]), Flatten(managed["context"]), Tolerance);
        Numerics.AssertClose(onnxWeights, Flatten(managed["weights"]), Tolerance);
        var heads = model == "multihead" ? 4 : 1;
        var allowed = Allowed(mask, causal, batch, tq, tv);
        for (var row = 0; row < batch * heads * tq; row++)
        {
            var b = row / (heads * tq);
            var i = row % tq;
            double sum = 0;
            for (var j = 0; j < tv; j++)
            {
                var w = onnxWeights[row * tv + j];
                if (!allowed[b][i][j]) Assert.Equal(0f, w);
                sum += w;
            }
            Assert.True(Math.Abs(sum - 1) <= Tolerance, $"row {row} sums to {sum}");
        }
        if (model is "luong-dot" or "scaled-dot")
        {
            var scale = model == "scaled-dot" ? 1 / Math.Sqrt(D) : 1;
            var context = Flatten(onnx["context"]);
            for (var b = 0; b < batch; b++)
            {
                var expected = ReferenceAttention.DotProduct(query[b], (keys ?? values)[b], values[b], scale, allowed[b]);
                for (var i = 0; i < tq; i++)
                    for (var j = 0; j < tv; j++)
                        Assert.True(Math.Abs(expected.Weights[i][j] - onnxWeights[(b * tq + i) * tv + j]) <= Tolerance);
                for (var i = 0; i < tq; i++)
                    for (var k = 0; k < D; k++)
                        Assert.True(Math.Abs(expected.Context[i][k] - context[(b * tq + i) * D + k]) <= Tolerance);
            }
        }
    }

    [Theory]
    [InlineData("luong-dot")]
    [InlineData("bahdanau")]
    [InlineData("multihead")]
    public async Task PaddedBatchEqualsServingEachSequenceAlone(string model)
    {
        var rng = new Random(17);
        int[] lengths = [6, 2];
        const int tv = 6;
        var query = Tensor3(rng, 2, 3, D);
        var values = Tensor3(rng, 2, tv, D);
        var mask = lengths.Select(n => Enumerable.Range(0, tv).Select(j => j < n).ToArray()).ToArray();

        var padded = await AttendAsync(new JsonObject
        {
            ["model"] = model, ["query"] = JsonSerializerNode(query), ["values"] = JsonSerializerNode(values), ["mask"] = JsonSerializerNode(mask),
        }, null);

        var heads = model == "multihead" ? 4 : 1;
        var paddedContext = Flatten(padded["context"]);
        var paddedWeights = Flatten(padded["weights"]);
        for (var b = 0; b < 2; b++)
        {
            var alone = await AttendAsync(new JsonObject
            {
                ["model"] = model, ["query"] = JsonSerializerNode(query[b]), ["values"] = JsonSerializerNode(values[b][..lengths[b]]),
            }, null);
            Numerics.AssertClose(Flatten(alone["context"]), paddedContext.Skip(b * 3 * D).Take(3 * D).ToArray(), Tolerance);
            var aloneWeights = Flatten(alone["weights"]);
            for (var r = 0; r < heads * 3; r++)
                for (var j = 0; j < tv; j++)
                {
                    var w = paddedWeights[(b * heads * 3 + r) * tv + j];
                    if (j < lengths[b]) Assert.True(Math.Abs(aloneWeights[r * lengths[b] + j] - w) <= Tolerance);
                    else Assert.Equal(0f, w);
                }
        }
    }

    [Fact]
    public async Task ARowWithNothingToAttendIs422()
    {
        var response = await _client.PostRawAsync("""{"query": [[1, 2], [3, 4]], "values": [[1, 2], [3, 4]], "mask": [[true, false], [false, false]]}""");

        await Problems.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "query position 1 nothing to attend to");
    }

    [Theory]
    [InlineData("""{"query": [[1, 2]], "values": [[1, 2], [3, 4]], "mask": [true]}""", HttpStatusCode.UnprocessableEntity, "mask has shape [1], expected [2]")]
    [InlineData("""{"query": [[1, 2]], "values": [[1, 2], [3, 4]], "mask": [1, 0]}""", HttpStatusCode.BadRequest, "mask[0] is a number, expected a boolean")]
    [InlineData("""{"query": [[1, 2]], "values": [[1, 2], [3, 4]], "mask": [[[true, true]]]}""", HttpStatusCode.BadRequest, "mask has rank 3")]
    [InlineData("""{"query": [[1, 2]], "values": [[1, 2], [3, 4]], "causal": "yes"}""", HttpStatusCode.BadRequest, "causal must be true or false")]
    [InlineData("""{"query": [[1, 2]], "keys": [[1, 2, 3]], "values": [[1, 2]]}""", HttpStatusCode.UnprocessableEntity, "keys has d = 3 but query has d = 2")]
    public async Task BadOptionsGetProblemDetails(string body, HttpStatusCode status, string detail) =>
        await Problems.AssertProblemAsync(await _client.PostRawAsync(body), status, detail);

    private async Task<JsonObject> AttendAsync(JsonObject body, string? backend)
    {
        var request = (JsonObject)body.DeepClone();
        if (backend is not null) request["backend"] = backend;
        var response = await _client.PostRawAsync(request.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var answer = JsonNode.Parse(text)!.AsObject();
        if (backend is not null) Assert.Equal(backend, (string?)answer["backend"]);
        return answer;
    }

    private static bool[][][] Allowed(object[]? mask, bool causal, int batch, int tq, int tv) =>
        Enumerable.Range(0, batch).Select(b => Enumerable.Range(0, tq).Select(i => Enumerable.Range(0, tv).Select(j =>
            (!causal || j <= i) && mask?[b] switch
            {
                bool[] padding => padding[j],
                bool[][] full => full[i][j],
                _ => true,
            }).ToArray()).ToArray()).ToArray();

    private static float[][][] Tensor3(Random rng, int batch, int rows, int cols) =>
        Enumerable.Range(0, batch).Select(_ => ReferenceAttention.Random(rng, rows, cols)).ToArray();

    private static JsonNode JsonSerializerNode(object value) => JsonSerializer.SerializeToNode(value)!;

    private static float[] Flatten(JsonNode? node) => node switch
    {
        JsonArray array => array.SelectMany(Flatten).ToArray(),
        JsonValue value => [value.GetValue<float>()],
        _ => throw new InvalidOperationException("not a tensor"),
    };
}
