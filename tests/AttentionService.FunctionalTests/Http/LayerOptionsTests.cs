using System.Net;
using System.Text.Json.Nodes;
using AttentionService.Contracts;
using AttentionService.Tests.Reference;
using AttentionService.Tests.Support;
using static AttentionService.Tests.Support.AttendClient;

namespace AttentionService.Tests.Http;

/// <summary>
/// A tensor request's answer options through the real app: labels echoed and checked against tq and tv, multi-head
/// weights averaged on both backends equal to the mean of the same request's per-head weights, a part left out of the
/// answer, the heads /models shows; and a problem+json 400 (or 413) for each wrong use.
/// </summary>
public sealed class LayerOptionsTests(AttentionServiceFactory factory) : IClassFixture<AttentionServiceFactory>
{
    /// <summary>Averaged weights against the mean of the per-head weights the same backend answered.</summary>
    private const double AverageTolerance = 1e-6;

    private const int D = 64;

    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task LabelsAreEchoedAndTheNumbersAreUnchanged()
    {
        var query = new[] { new[] { 1f, 0, 1, 0 }, [0, 1, 0, 1] };
        var values = new[] { new[] { 1f, 0, 0, 0 }, [0, 1, 0, 0], [0, 0, 1, 0] };

        var plain = await AttendAsync(new JsonObject { ["query"] = Node(query), ["values"] = Node(values) });
        var labelled = await AttendAsync(new JsonObject
        {
            ["query"] = Node(query), ["values"] = Node(values),
            ["tokens"] = new JsonObject { ["query"] = Node(new[] { "la", "vie" }), ["keys"] = Node(new[] { "life", "été", "😀" }) },
        });

        Assert.Equal(["model", "backend", "tokens", "context", "weights"], labelled.Select(p => p.Key));
        Assert.Equal(["la", "vie"], Labels(labelled["tokens"]!["query"]));
        Assert.Equal(["life", "été", "😀"], Labels(labelled["tokens"]!["keys"]));
        Assert.Equal(plain["context"]!.ToJsonString(), labelled["context"]!.ToJsonString());
        Assert.Equal(plain["weights"]!.ToJsonString(), labelled["weights"]!.ToJsonString());
    }

    [Theory]
    [InlineData("luong-dot", false)]
    [InlineData("scaled-dot", true)]
    [InlineData("multihead", true)]
    public async Task LabelsOfABatchedRequestApplyToEveryItem(string model, bool keys)
    {
        var rng = new Random(5);
        var body = new JsonObject
        {
            ["model"] = model,
            ["query"] = Node(Batch(rng, 3, 2)),
            ["values"] = Node(Batch(rng, 3, 4)),
            ["tokens"] = new JsonObject { ["query"] = Node(new[] { "q0", "q1" }), ["keys"] = Node(new[] { "k0", "k1", "k2", "k3" }) },
        };
        if (keys) body["keys"] = Node(Batch(rng, 3, 4));

        var answer = await AttendAsync(body);

        Assert.Equal(["q0", "q1"], Labels(answer["tokens"]!["query"]));
        Assert.Equal(3, answer["weights"]!.AsArray().Count);
    }

    [Fact]
    public async Task EitherLabelListMayComeAlone()
    {
        var answer = await AttendAsync(new JsonObject
        {
            ["query"] = Node(new[] { new[] { 1f, 2 } }), ["values"] = Node(new[] { new[] { 1f, 2 }, [3, 4] }),
            ["tokens"] = new JsonObject { ["keys"] = Node(new[] { "a", "b" }) },
        });

        Assert.Equal("""{"keys":["a","b"]}""", answer["tokens"]!.ToJsonString());
    }

    [Theory]
    [InlineData("onnx", false)]
    [InlineData("managed", false)]
    [InlineData("onnx", true)]
    [InlineData("managed", true)]
    public async Task AveragedHeadsAreTheMeanOfThePerHeadWeights(string backend, bool batched)
    {
        var rng = new Random(batched ? 11 : 12);
        var (query, values) = batched
            ? (Node(Batch(rng, 2, 5)), Node(Batch(rng, 2, 7)))
            : (Node(ReferenceAttention.Random(rng, 5, D)), Node(ReferenceAttention.Random(rng, 7, D)));
        var body = new JsonObject { ["model"] = "multihead", ["backend"] = backend, ["query"] = query, ["values"] = values, ["causal"] = true };

        var each = await AttendAsync(body);
        body["heads"] = "average";
        var averaged = await AttendAsync(body);

        Assert.Equal(backend, (string?)averaged["backend"]);
        Assert.Equal(each["context"]!.ToJsonString(), averaged["context"]!.ToJsonString());
        var perHead = batched ? PerHead(each["weights"]!) : [Batch3(each["weights"])];
        var mean = batched ? Batch3(averaged["weights"]!) : [Matrix(averaged["weights"])];
        Assert.Equal(perHead.Length, mean.Length);
        for (var b = 0; b < perHead.Length; b++)
        {
            var heads = perHead[b];
            Assert.Equal(4, heads.Length);
            Assert.Equal(5, mean[b].Length);
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(7, mean[b][i].Length);
                for (var j = 0; j < 7; j++)
                {
                    var expected = heads.Average(h => (double)h[i][j]);
                    Assert.True(Math.Abs(expected - mean[b][i][j]) <= AverageTolerance, $"[{b}][{i}][{j}]: {mean[b][i][j]} against {expected}");
                    if (j > i) Assert.Equal(0f, mean[b][i][j]);
                }
            }
        }
    }

    [Fact]
    public async Task HeadsEachIsTheDefaultAnswerAndMatchesWithoutCase()
    {
        var rng = new Random(3);
        var body = new JsonObject { ["model"] = "multihead", ["query"] = Node(ReferenceAttention.Random(rng, 2, D)), ["values"] = Node(ReferenceAttention.Random(rng, 3, D)) };

        var plain = await AttendAsync(body);
        body["heads"] = "EACH";
        var each = await AttendAsync(body);
        body["heads"] = "Average";
        var averaged = await AttendAsync(body);

        Assert.Equal(plain["weights"]!.ToJsonString(), each["weights"]!.ToJsonString());
        Assert.Equal(4, each["weights"]!.AsArray().Count);
        Assert.Equal(2, averaged["weights"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("""["weights"]""", "weights")]
    [InlineData("""["CONTEXT"]""", "context")]
    [InlineData("""["weights", "context"]""", "context,weights")]
    public async Task IncludeLeavesTheOtherPartOut(string include, string parts)
    {
        const string tensors = """ "query": [[1, 0, 1, 0], [0, 1, 0, 1]], "values": [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]] """;
        var whole = await AttendRawAsync($$"""{{{tensors}}}""");

        var answer = await AttendRawAsync($$"""{{{tensors}}, "include": {{include}}}""");

        Assert.Equal(new[] { "model", "backend" }.Concat(parts.Split(',')), answer.Select(p => p.Key));
        foreach (var part in parts.Split(','))
            Assert.Equal(whole[part]!.ToJsonString(), answer[part]!.ToJsonString());
    }

    [Theory]
    [InlineData("onnx")]
    [InlineData("managed")]
    public async Task OnlyAveragedWeightsCanBeAskedFor(string backend)
    {
        var rng = new Random(8);
        var body = new JsonObject
        {
            ["model"] = "multihead", ["backend"] = backend, ["heads"] = "average", ["include"] = Node(new[] { "weights" }),
            ["query"] = Node(ReferenceAttention.Random(rng, 3, D)), ["values"] = Node(ReferenceAttention.Random(rng, 2, D)),
            ["tokens"] = new JsonObject { ["query"] = Node(new[] { "a", "b", "c" }) },
        };

        var answer = await AttendAsync(body);

        Assert.Equal(["model", "backend", "tokens", "weights"], answer.Select(p => p.Key));
        var weights = Matrix(answer["weights"]);
        Assert.Equal(3, weights.Length);
        Assert.All(weights, row => Assert.True(Math.Abs(row.Sum() - 1) <= 1e-5, $"a row sums to {row.Sum()}"));
    }

    [Fact]
    public async Task AveragingWithTheWeightsLeftOutAnswersTheContextAlone()
    {
        var rng = new Random(9);
        var body = new JsonObject { ["model"] = "multihead", ["query"] = Node(ReferenceAttention.Random(rng, 2, D)), ["values"] = Node(ReferenceAttention.Random(rng, 3, D)) };
        var whole = await AttendAsync(body);
        body["heads"] = "average";
        body["include"] = Node(new[] { "context" });

        var answer = await AttendAsync(body);

        Assert.Equal(["model", "backend", "context"], answer.Select(p => p.Key));
        Assert.Equal(whole["context"]!.ToJsonString(), answer["context"]!.ToJsonString());
    }

    [Fact]
    public async Task ModelsShowTheHeadsOfMultiHeadModelsOnly()
    {
        var multihead = JsonNode.Parse(await _client.GetStringAsync("/models/multihead"))!;
        var luong = JsonNode.Parse(await _client.GetStringAsync("/models/luong-dot"))!;
        var list = JsonNode.Parse(await _client.GetStringAsync("/models"))!["models"]!.AsArray();

        Assert.Equal(4, (int?)multihead["heads"]);
        Assert.Null(luong["heads"]);
        Assert.Equal(4, (int?)list.Single(m => (string?)m!["name"] == "multihead")!["heads"]);
        Assert.All(list.Where(m => (string?)m!["name"] is "luong-dot" or "scaled-dot" or "luong-general" or "bahdanau"), m => Assert.Null(m!["heads"]));
    }

    [Fact]
    public async Task SwaggerDescribesTokensHeadsAndInclude()
    {
        var schemas = JsonNode.Parse(await _client.GetStringAsync("/swagger/v1/swagger.json"))!["components"]!["schemas"]!;

        var request = schemas["AttendRequest"]!["properties"]!;
        Assert.Equal(["each", "average"], request["heads"]!["enum"]!.AsArray().Select(n => (string)n!));
        Assert.Equal("array", (string?)request["include"]!["type"]);
        Assert.Equal(["context", "weights"], request["include"]!["items"]!["enum"]!.AsArray().Select(n => (string)n!));
        var tokens = Resolve(schemas, request["tokens"]!);
        Assert.Equal("string", (string?)tokens["properties"]!["query"]!["items"]!["type"]);
        Assert.Equal("string", (string?)tokens["properties"]!["keys"]!["items"]!["type"]);
        Assert.NotNull(schemas["AttendResponse"]!["properties"]!["tokens"]);
        Assert.Equal("integer", (string?)schemas["ModelMetadata"]!["properties"]!["heads"]!["type"]);
        // A referenced schema carries its own description (OpenAPI 3.0 ignores one beside a $ref).
        foreach (var field in new[] { tokens, request["heads"], request["include"], schemas["ModelMetadata"]!["properties"]!["heads"] })
            Assert.False(string.IsNullOrWhiteSpace((string?)field!["description"]), field!.ToJsonString());
    }

    /// <summary>Wrong uses, each with its status and a detail that says what is wrong and where.</summary>
    public static TheoryData<string, string, HttpStatusCode, string> Errors => new()
    {
        { "too few query labels", """{"query": [[1], [2]], "values": [[1]], "tokens": {"query": ["a"]}}""", HttpStatusCode.BadRequest, "tokens.query has 1 label, expected 2 (tq, the query's positions)" },
        { "too many key labels", """{"query": [[1]], "keys": [[1], [2]], "values": [[1], [2]], "tokens": {"keys": ["a", "b", "c"]}}""", HttpStatusCode.BadRequest, "tokens.keys has 3 labels, expected 2 (tv, the keys' positions)" },
        { "key labels for values as keys", """{"query": [[1]], "values": [[1], [2]], "tokens": {"keys": ["a"]}}""", HttpStatusCode.BadRequest, "tokens.keys has 1 label, expected 2 (tv, the positions of the values (as keys))" },
        { "labels for the batch axis", """{"query": [[[1]], [[2]]], "values": [[[1]], [[2]]], "tokens": {"query": ["a", "b"]}}""", HttpStatusCode.BadRequest, "tokens.query has 2 labels, expected 1" },
        { "no labels", """{"query": [[1]], "values": [[1]], "tokens": {"query": []}}""", HttpStatusCode.BadRequest, "tokens.query has 0 labels, expected 1" },
        { "labels not an object", """{"query": [[1]], "values": [[1]], "tokens": ["a"]}""", HttpStatusCode.BadRequest, "tokens must be an object with query and/or keys" },
        { "a label not a string", """{"query": [[1]], "values": [[1]], "tokens": {"query": [1]}}""", HttpStatusCode.BadRequest, "tokens.query[0] is a number, expected a string" },
        { "a label list under another name", """{"query": [[1]], "values": [[1]], "tokens": {"values": ["a"]}}""", HttpStatusCode.BadRequest, "unknown property 'values' in tokens; its properties are query, keys" },
        { "a label too long", $$$"""{"query": [[1]], "values": [[1]], "tokens": {"query": ["{{{new string('x', TokenLabels.MaxLabelLength + 1)}}}"]}}""", HttpStatusCode.BadRequest, $"tokens.query[0] has {TokenLabels.MaxLabelLength + 1} characters; a label has at most {TokenLabels.MaxLabelLength}" },
        { "more labels than positions allowed", $$$"""{"query": [[1]], "values": [[1]], "tokens": {"keys": [{{{string.Join(",", Enumerable.Repeat("\"x\"", new RequestLimits().MaxSequenceLength + 1))}}}]}}""", HttpStatusCode.RequestEntityTooLarge, "tokens.keys has more than 4096 labels, the limit is 4096 (Attention:Limits:MaxSequenceLength)" },
        { "averaging a model without heads", """{"query": [[1]], "values": [[1]], "heads": "average"}""", HttpStatusCode.BadRequest, "model 'luong-dot' answers weights [batch, tq, tv] without a heads axis, so there are no heads to average" },
        { "averaging bahdanau", """{"model": "bahdanau", "query": [[1]], "values": [[1]], "heads": "average"}""", HttpStatusCode.BadRequest, "model 'bahdanau' answers weights [batch, tq, tv] without a heads axis" },
        { "unknown heads", """{"query": [[1]], "values": [[1]], "heads": "max"}""", HttpStatusCode.BadRequest, "unknown heads 'max'; heads is \"each\"" },
        { "heads not a string", """{"query": [[1]], "values": [[1]], "heads": ["average"]}""", HttpStatusCode.BadRequest, "heads must be a string" },
        { "include empty", """{"query": [[1]], "values": [[1]], "include": []}""", HttpStatusCode.BadRequest, "include is empty; name at least one of \"context\", \"weights\"" },
        { "include unknown", """{"query": [[1]], "values": [[1]], "include": ["scores"]}""", HttpStatusCode.BadRequest, "include[0] is 'scores'; the parts are \"context\", \"weights\"" },
        { "include twice", """{"query": [[1]], "values": [[1]], "include": ["context", "context"]}""", HttpStatusCode.BadRequest, "include names 'context' more than once" },
        { "include not an array", """{"query": [[1]], "values": [[1]], "include": "context"}""", HttpStatusCode.BadRequest, "include must be an array of answer parts" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task WrongUsesGetProblemDetails(string name, string body, HttpStatusCode status, string detail)
    {
        _ = name;
        await Problems.AssertProblemAsync(await _client.PostRawAsync(body), status, detail);
    }

    private async Task<JsonObject> AttendAsync(JsonObject body) => await AttendRawAsync(body.ToJsonString());

    private async Task<JsonObject> AttendRawAsync(string body)
    {
        var response = await _client.PostRawAsync(body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private static JsonNode Resolve(JsonNode schemas, JsonNode schema) =>
        schema["$ref"] is { } reference ? schemas[((string)reference!).Split('/')[^1]]!
        : schema["allOf"] is JsonArray all ? Resolve(schemas, all[0]!)
        : schema;

    private static string[] Labels(JsonNode? node) => node!.AsArray().Select(t => (string)t!).ToArray();

    private static float[][][] Batch(Random rng, int batch, int rows) =>
        Enumerable.Range(0, batch).Select(_ => ReferenceAttention.Random(rng, rows, D)).ToArray();

    /// <summary>[batch][heads][tq][tv] weights as arrays.</summary>
    private static float[][][][] PerHead(JsonNode weights) => weights.AsArray().Select(Batch3).ToArray();

    private static float[][][] Batch3(JsonNode? node) => node!.AsArray().Select(Matrix).ToArray();

    private static JsonNode Node<T>(T value) => System.Text.Json.JsonSerializer.SerializeToNode(value)!;
}
