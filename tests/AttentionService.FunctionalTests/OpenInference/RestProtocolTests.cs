using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AttentionService.Tests.Support;
using static AttentionService.Tests.OpenInference.V2Client;

namespace AttentionService.Tests.OpenInference;

/// <summary>
/// The Open Inference Protocol (KServe v2) REST API of the service run as its own process on loopback: every answer,
/// success or error, on a path of the official OpenAPI document and matching its schema; the same numbers as /attend.
/// </summary>
public sealed class RestProtocolTests(SharedServiceProcess shared) : IClassFixture<SharedServiceProcess>
{
    /// <summary>The attention layers; <c>dates</c>, the seq2seq model, is served as its decoder-step graph.</summary>
    private static readonly string[] Models = ["bahdanau", "luong-dot", "luong-general", "multihead", "scaled-dot"];

    private readonly HttpClient _client = shared.Service.Client;

    private async Task<JsonNode?> GetAsync(string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await _client.GetAsync(path);
        var json = await OpenInferenceSpec.AssertConformsAsync(HttpMethod.Get, path, response);
        Assert.True(expected == response.StatusCode, $"GET {path}: {(int)response.StatusCode} {json}");
        return json;
    }

    private async Task<JsonNode> PostAsync(string path, HttpContent content, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await _client.PostAsync(path, content);
        var json = await OpenInferenceSpec.AssertConformsAsync(HttpMethod.Post, path, response);
        Assert.True(expected == response.StatusCode, $"POST {path}: {(int)response.StatusCode} {json}");
        return json!;
    }

    private Task<JsonNode> InferJsonAsync(string model, JsonObject body, HttpStatusCode expected = HttpStatusCode.OK, string? version = null) =>
        PostAsync(InferPath(model, version), new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), expected);

    [Fact]
    public async Task ServerMetadataNamesTheServiceAndTheBinaryExtension()
    {
        foreach (var path in new[] { "/v2", "/v2/" })
        {
            var metadata = await GetAsync(path);
            Assert.Equal("attention-service", (string?)metadata!["name"]);
            Assert.Contains("binary_tensor_data", metadata["extensions"]!.AsArray().Select(e => (string?)e));
        }
    }

    [Fact]
    public async Task HealthAnswersLiveAndReadyAsHealthDoes()
    {
        Assert.True((bool)(await GetAsync("/v2/health/live"))!["live"]!);
        var ready = await GetAsync("/v2/health/ready");
        var health = await (await _client.GetAsync("/health/ready")).ReadObjectAsync();
        Assert.True((bool)ready!["ready"]!);
        Assert.Equal((string?)health["status"], (string?)ready["status"]);
    }

    [Fact]
    public async Task ModelMetadataIsTheGraphsInputsAndOutputsAsModelsShowsThem()
    {
        foreach (var name in Models.Append("dates"))
        {
            var metadata = await GetAsync($"/v2/models/{name}");
            var versioned = await GetAsync($"/v2/models/{name}/versions/1");
            var models = await (await _client.GetAsync($"/models/{name}")).ReadObjectAsync();
            Assert.Equal(metadata!.ToJsonString(), versioned!.ToJsonString());
            Assert.Equal(name, (string?)metadata["name"]);
            Assert.Equal("onnx_onnxv1", (string?)metadata["platform"]);
            Assert.Equal(["1"], metadata["versions"]!.AsArray().Select(v => (string?)v));
            Assert.Equal("onnx,managed", (string?)metadata["properties"]!["backends"]);
            foreach (var part in new[] { "inputs", "outputs" })
                Assert.Equal(
                    models[part]!.AsArray().Select(t => $"{t!["name"]} {t["datatype"]} {t["shape"]!.ToJsonString()}"),
                    metadata[part]!.AsArray().Select(t => $"{t!["name"]} {t["datatype"]} {t["shape"]!.ToJsonString()}"));
            Assert.Contains(-1, metadata["inputs"]![0]!["shape"]!.AsArray().Select(d => (int)d!));
        }
    }

    [Fact]
    public async Task ModelReadyAnswersTrueForAServingModel()
    {
        var ready = await GetAsync("/v2/models/luong-dot/ready");
        Assert.Equal("luong-dot", (string?)ready!["name"]);
        Assert.True((bool)ready["ready"]!);
        await GetAsync("/v2/models/luong-dot/versions/1/ready");
    }

    [Theory]
    [InlineData("/v2/models/nope", "model 'nope' not found; models are bahdanau")]
    [InlineData("/v2/models/nope/ready", "model 'nope' not found")]
    [InlineData("/v2/models/luong-dot/versions/2", "model 'luong-dot' has no version '2'; its versions are 1")]
    [InlineData("/v2/models/luong-dot/versions/2/ready", "has no version '2'")]
    public async Task AnUnknownModelOrVersionIs404InTheProtocolsForm(string path, string error)
    {
        var answer = await GetAsync(path, HttpStatusCode.NotFound);
        Assert.Contains(error, (string?)answer!["error"]);
    }

    public static TheoryData<string, string> ModelsAndBackends()
    {
        var data = new TheoryData<string, string>();
        foreach (var model in Models)
        foreach (var backend in new[] { "onnx", "managed" })
            data.Add(model, backend);
        return data;
    }

    /// <summary>The same tensors (batch 2, a padding mask, keys apart from values) sent to /attend and to /v2 infer.</summary>
    [Theory]
    [MemberData(nameof(ModelsAndBackends))]
    public async Task InferAnswersTheNumbersAttendAnswers(string model, string backend)
    {
        var (query, keys, values, mask) = Tensors(batch: 2, tq: 3, tv: 5, d: 64, seed: model.Length);
        var attend = await _client.PostAttendAsync(new
        {
            model, backend, query = Nest(query, 2, 3, 64), keys = Nest(keys, 2, 5, 64), values = Nest(values, 2, 5, 64),
            mask = Enumerable.Range(0, 2).Select(b => Enumerable.Range(0, 3).Select(q => Enumerable.Range(0, 5).Select(v => mask[(b * 3 + q) * 5 + v] == 1).ToArray()).ToArray()).ToArray(),
        });
        Assert.Equal(HttpStatusCode.OK, attend.StatusCode);
        var expected = await attend.ReadObjectAsync();

        var body = Request(Fp32("query", [2, 3, 64], query), Fp32("keys", [2, 5, 64], keys), Fp32("values", [2, 5, 64], values), Fp32("mask", [2, 3, 5], mask));
        body["id"] = "request-7";
        body["parameters"] = new JsonObject { ["backend"] = backend };
        var answer = await InferJsonAsync(model, body);

        Assert.Equal(model, (string?)answer["model_name"]);
        Assert.Equal("request-7", (string?)answer["id"]);
        Assert.Equal(backend, (string?)answer["parameters"]!["backend"]);
        var outputs = answer["outputs"]!.AsArray();
        Assert.Equal(["context", "weights"], outputs.Select(o => (string?)o!["name"]));
        foreach (var output in outputs)
        {
            var (shape, data) = FixtureRequests.Flatten(expected[(string)output!["name"]!]!);
            Assert.Equal("FP32", (string?)output["datatype"]);
            Assert.Equal(shape, output["shape"]!.AsArray().Select(d => (int)d!));
            Assert.Equal(data, output["data"]!.AsArray().Select(x => (double)x!));
        }
    }

    /// <summary>The seq2seq model's decoder step, INT64 token and BOOL mask included, as a tensor request to /attend runs it.</summary>
    [Theory]
    [InlineData("onnx")]
    [InlineData("managed")]
    public async Task ASeq2seqModelRunsOneDecoderStepAsATensorRequestToAttendDoes(string backend)
    {
        var (query, _, values, _) = Tensors(batch: 1, tq: 1, tv: 3, d: 128, seed: 9);
        var attend = await _client.PostAttendAsync(new
        {
            model = "dates", backend, query = new[] { query }, values = new[] { Nest(values, 1, 3, 128)[0] },
            mask = new[] { new[] { true, true, false } }, inputs = new { token = new[] { 4L } }, outputs = new[] { "logits", "state" },
        });
        Assert.Equal(HttpStatusCode.OK, attend.StatusCode);
        var expected = await attend.ReadObjectAsync();

        var body = Request(
            Input("token", "INT64", [1], [4]), Fp32("query", [1, 128], query), Fp32("values", [1, 3, 128], values),
            Input("mask", "BOOL", [1, 3], [true, true, false]));
        body["parameters"] = new JsonObject { ["backend"] = backend };
        var answer = await InferJsonAsync("dates", body);

        var outputs = answer["outputs"]!.AsArray();
        Assert.Equal(["context", "weights", "state", "logits"], outputs.Select(o => (string?)o!["name"]));
        foreach (var output in outputs)
        {
            var name = (string)output!["name"]!;
            var (_, data) = FixtureRequests.Flatten(name is "context" or "weights" ? expected[name]! : expected["outputs"]![name]!);
            Assert.Equal(data, output["data"]!.AsArray().Select(x => (double)x!));
        }
        Assert.Equal(0, (double)outputs[1]!["data"]![2]!);
    }

    [Fact]
    public async Task NestedDataAnswersAsFlatDataAndRoleNamesFindTheirInputs()
    {
        var flat = await InferJsonAsync("luong-dot", Request(Fp32("query", [1, 2, 4], [1, 0, 1, 0, 0, 1, 0, 1]), Fp32("values", [1, 3, 4], [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0])));
        var nested = new JsonObject
        {
            ["inputs"] = new JsonArray(
                JsonNode.Parse("""{"name": "query", "datatype": "FP32", "shape": [1, 2, 4], "data": [[[1, 0, 1, 0], [0, 1, 0, 1]]]}"""),
                JsonNode.Parse("""{"data": [[[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]], "shape": [1, 3, 4], "datatype": "FP32", "name": "values"}""")),
        };
        var answer = await InferJsonAsync("luong-dot", nested);
        Assert.Equal(flat["outputs"]!.ToJsonString(), answer["outputs"]!.ToJsonString());
        Assert.Equal([0.42231882, 0.15536241, 0.42231882, 0.21194157, 0.5761169, 0.21194157],
            answer["outputs"]![1]!["data"]!.AsArray().Select(x => (double)x!));
    }

    [Fact]
    public async Task RequestedOutputsAreAnsweredInTheirOrderAndCausalApplies()
    {
        var body = Request(Fp32("query", [1, 2, 4], [1, 0, 1, 0, 0, 1, 0, 1]), Fp32("values", [1, 3, 4], [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]));
        body["outputs"] = new JsonArray(new JsonObject { ["name"] = "weights" });
        body["parameters"] = new JsonObject { ["causal"] = true };
        var answer = await InferJsonAsync("luong-dot", body, version: "1");
        var output = Assert.Single(answer["outputs"]!.AsArray());
        Assert.Equal("weights", (string?)output!["name"]);
        Assert.Equal("1", (string?)answer["model_version"]);
        Assert.Equal([1, 0, 0, 0.26894143, 0.7310586, 0], output["data"]!.AsArray().Select(x => (double)x!));
    }

    [Theory]
    [InlineData("onnx")]
    [InlineData("managed")]
    public async Task BinaryInputsAndOutputsRoundTripTheJsonNumbers(string backend)
    {
        var (query, _, values, _) = Tensors(batch: 1, tq: 4, tv: 6, d: 8, seed: 3);
        var json = Request(Fp32("query", [1, 4, 8], query), Fp32("values", [1, 6, 8], values));
        json["parameters"] = new JsonObject { ["backend"] = backend };
        var expected = await ReadAnswerAsync(await _client.InferAsync("luong-dot", json));

        var binary = Request(BinaryInput("query", "FP32", [1, 4, 8], 4 * 32), BinaryInput("values", "FP32", [1, 6, 8], 4 * 48));
        binary["parameters"] = new JsonObject { ["backend"] = backend, ["binary_data_output"] = true };
        var response = await _client.PostAsync(InferPath("luong-dot"), Binary(binary, LittleEndian(query), LittleEndian(values)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        var answer = await ReadAnswerAsync(response);

        foreach (var name in new[] { "context", "weights" })
        {
            Assert.True(answer.Outputs[name].Binary);
            Assert.Equal(expected.Outputs[name].Shape, answer.Outputs[name].Shape);
            Assert.Equal(expected.Outputs[name].Data, answer.Outputs[name].Data);
        }
        // The header is the protocol's answer with data left out for binary outputs, as the extension says.
        foreach (var output in answer.Json["outputs"]!.AsArray()) output!.AsObject()["data"] = new JsonArray();
        using var header = System.Text.Json.JsonDocument.Parse(answer.Json.ToJsonString());
        Assert.True(OpenInferenceSpec.Evaluate("inference_response", header.RootElement).IsValid);

        // One output binary, the other JSON, by the output's own binary_data parameter.
        json["outputs"] = new JsonArray(new JsonObject { ["name"] = "weights", ["parameters"] = new JsonObject { ["binary_data"] = true } },
            new JsonObject { ["name"] = "context" });
        var mixed = await ReadAnswerAsync(await _client.InferAsync("luong-dot", json));
        Assert.True(mixed.Outputs["weights"].Binary);
        Assert.False(mixed.Outputs["context"].Binary);
        Assert.Equal(expected.Outputs["weights"].Data, mixed.Outputs["weights"].Data);
        Assert.Equal(expected.Outputs["context"].Data, mixed.Outputs["context"].Data);
    }

    /// <summary>docs/performance.md measures this answer's time with scripts/bench-v2-binary.sh; here its bytes.</summary>
    [Fact]
    public async Task A512By512WeightsAnswerIsAMegabyteInBinaryAndOverThreeInJson()
    {
        var (query, _, values, _) = Tensors(batch: 1, tq: 512, tv: 512, d: 4, seed: 5);
        var answers = new Dictionary<bool, (long Bytes, Answer Answer)>();
        foreach (var binary in new[] { false, true })
        {
            var body = Request(Fp32("query", [1, 512, 4], query), Fp32("values", [1, 512, 4], values));
            body["outputs"] = new JsonArray(new JsonObject { ["name"] = "weights", ["parameters"] = new JsonObject { ["binary_data"] = binary } });
            var response = await _client.InferAsync("luong-dot", body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            answers[binary] = (response.Content.Headers.ContentLength ?? (await response.Content.ReadAsByteArrayAsync()).Length, await ReadAnswerAsync(response));
        }
        var headerLength = answers[true].Bytes - 512 * 512 * 4;
        Assert.InRange(headerLength, 100, 300);
        Assert.True(answers[false].Bytes > 3 * answers[true].Bytes, $"JSON {answers[false].Bytes} bytes, binary {answers[true].Bytes}");
        Assert.Equal(answers[false].Answer.Outputs["weights"].Data, answers[true].Answer.Outputs["weights"].Data);
    }

    public static TheoryData<string, string, int, string> BadRequests => new()
    {
        { "not JSON", "{", 400, "not valid JSON" },
        { "no inputs", """{"id": "1"}""", 400, "inputs is required" },
        { "an unknown property", """{"inputs": [], "model": "x"}""", 400, "unknown property 'model'" },
        { "a datatype the graph does not take", """{"inputs": [{"name": "query", "datatype": "INT64", "shape": [1, 1, 2], "data": [1, 0]}]}""", 400, "input 'query' is INT64; model 'luong-dot' takes query as FP32" },
        { "an unserved datatype", """{"inputs": [{"name": "query", "datatype": "FP16", "shape": [1, 1, 2], "data": [1, 0]}]}""", 400, "datatype 'FP16'; inputs are FP32, INT64 or BOOL" },
        { "data that does not fill the shape", """{"inputs": [{"name": "query", "datatype": "FP32", "shape": [1, 2, 2], "data": [1, 0, 1]}]}""", 400, "has 3 elements; shape [1, 2, 2] takes 4 elements" },
        { "an unknown input", """{"inputs": [{"name": "q", "datatype": "FP32", "shape": [1], "data": [1]}]}""", 400, "model 'luong-dot' has no input 'q'; its inputs are query" },
        { "no values", """{"inputs": [{"name": "query", "datatype": "FP32", "shape": [1, 1, 2], "data": [1, 0]}]}""", 400, "needs input 'values'" },
        { "an unknown output", """{"inputs": [{"name": "query", "datatype": "FP32", "shape": [1, 1, 2], "data": [1, 0]}], "outputs": [{"name": "logits"}]}""", 400, "has no output 'logits'; its outputs are context, weights" },
        { "an unknown backend", """{"parameters": {"backend": "gpu"}, "inputs": [{"name": "query", "datatype": "FP32", "shape": [1, 1, 2], "data": [1, 0]}, {"name": "values", "datatype": "FP32", "shape": [1, 1, 2], "data": [1, 0]}]}""", 400, "unknown backend 'gpu'" },
        { "dims that do not fit", """{"inputs": [{"name": "query", "datatype": "FP32", "shape": [1, 1, 2], "data": [1, 0]}, {"name": "values", "datatype": "FP32", "shape": [1, 1, 3], "data": [1, 0, 0]}]}""", 422, "" },
        { "a mask that leaves nothing", """{"inputs": [{"name": "query", "datatype": "FP32", "shape": [1, 1, 2], "data": [1, 0]}, {"name": "values", "datatype": "FP32", "shape": [1, 1, 2], "data": [1, 0]}, {"name": "mask", "datatype": "FP32", "shape": [1, 1, 1], "data": [0]}]}""", 422, "nothing to attend" },
        { "a shape over the limits", """{"inputs": [{"name": "query", "datatype": "FP32", "shape": [100000, 100000], "data": [1]}]}""", 413, "the limit is" },
        { "binary size without the header", """{"inputs": [{"name": "query", "datatype": "FP32", "shape": [1, 1, 2], "parameters": {"binary_data_size": 8}}]}""", 400, "send the JSON's length in the Inference-Header-Content-Length header" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task ABadRequestIsA4xxInTheProtocolsForm(string what, string body, int status, string error)
    {
        var answer = await PostAsync(InferPath("luong-dot"), new StringContent(body, Encoding.UTF8, "application/json"), (HttpStatusCode)status);
        Assert.True(((string?)answer["error"])?.Contains(error, StringComparison.Ordinal), $"{what}: {answer}");
    }

    [Fact]
    public async Task BinaryDataThatDoesNotMatchItsSizesIs400()
    {
        var json = Request(BinaryInput("query", "FP32", [1, 1, 2], 8), BinaryInput("values", "FP32", [1, 1, 2], 8));
        var shortBody = await PostAsync(InferPath("luong-dot"), Binary(json, new byte[8], new byte[4]), HttpStatusCode.BadRequest);
        Assert.Contains("binary_data_size is 8 but only 4 bytes", (string?)shortBody["error"]);
        var longBody = await PostAsync(InferPath("luong-dot"), Binary(json, new byte[8], new byte[12]), HttpStatusCode.BadRequest);
        Assert.Contains("4 bytes of binary data beyond", (string?)longBody["error"]);
        var wrongSize = Request(BinaryInput("query", "FP32", [1, 1, 2], 6));
        var wrong = await PostAsync(InferPath("luong-dot"), Binary(wrongSize, new byte[6]), HttpStatusCode.BadRequest);
        Assert.Contains("binary_data_size is 6; shape [1, 1, 2] of FP32 takes 8 bytes", (string?)wrong["error"]);
    }

    [Fact]
    public async Task OtherClientFaultsAre4xxInTheProtocolsForm()
    {
        var text = await PostAsync(InferPath("luong-dot"), new StringContent("{}", Encoding.UTF8, "text/plain"), HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("application/json", (string?)text["error"]);
        var unknown = await InferJsonAsync("nope", Request(Fp32("query", [1], [1])), HttpStatusCode.NotFound);
        Assert.Contains("model 'nope' not found", (string?)unknown["error"]);
        var version = await InferJsonAsync("luong-dot", Request(Fp32("query", [1], [1])), HttpStatusCode.NotFound, version: "3");
        Assert.Contains("has no version '3'", (string?)version["error"]);
    }

    [Fact]
    public async Task ErrorsTheFrameworkAnswersUnderV2AreInTheProtocolsForm()
    {
        var method = await _client.GetAsync("/v2/models/luong-dot/infer");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, method.StatusCode);
        Assert.Equal("application/json", method.Content.Headers.ContentType?.MediaType);
        Assert.Contains("GET is not allowed on /v2/models/luong-dot/infer; allowed: POST", (string?)(await method.ReadObjectAsync())["error"]);
        var route = await _client.GetAsync("/v2/repository/index");
        Assert.Equal(HttpStatusCode.NotFound, route.StatusCode);
        Assert.Contains("no endpoint at /v2/repository/index", (string?)(await route.ReadObjectAsync())["error"]);
        // Outside /v2 errors stay problem details.
        Assert.Equal("application/problem+json", (await _client.GetAsync("/models/nope")).Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task TheServicesOpenApiDocumentLeavesV2ToTheProtocolsOwn()
    {
        var document = await (await _client.GetAsync("/swagger/v1/swagger.json")).ReadObjectAsync();
        Assert.Contains("/attend", document["paths"]!.AsObject().Select(p => p.Key));
        Assert.DoesNotContain(document["paths"]!.AsObject(), p => p.Key.StartsWith("/v2", StringComparison.Ordinal));
    }

    [Fact]
    public void TheSpecsSchemasRejectWhatTheProtocolForbids()
    {
        using var noOutputs = System.Text.Json.JsonDocument.Parse("""{"model_name": "m"}""");
        using var stringShape = System.Text.Json.JsonDocument.Parse("""{"name": "m", "platform": "onnx", "inputs": [{"name": "q", "datatype": "FP32", "shape": ["-1"]}]}""");
        using var problem = System.Text.Json.JsonDocument.Parse("""{"title": "Not Found", "status": 404}""");
        Assert.False(OpenInferenceSpec.Evaluate("inference_response", noOutputs.RootElement).IsValid);
        Assert.False(OpenInferenceSpec.Evaluate("metadata_model_response", stringShape.RootElement).IsValid);
        Assert.False(OpenInferenceSpec.Evaluate("metadata_model_error_response", problem.RootElement).IsValid);
    }

    /// <summary>Seeded tensors for batch × tq × d queries, batch × tv × d keys and values, and a padding-like mask (1 = attend) hiding the last position of the second sequence.</summary>
    internal static (float[] Query, float[] Keys, float[] Values, float[] Mask) Tensors(int batch, int tq, int tv, int d, int seed)
    {
        var random = new Random(seed);
        float[] Next(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var mask = Enumerable.Range(0, batch * tq * tv).Select(i => i / (tq * tv) == 1 && i % tv == tv - 1 ? 0f : 1f).ToArray();
        return (Next(batch * tq * d), Next(batch * tv * d), Next(batch * tv * d), mask);
    }

    private static float[][][] Nest(float[] flat, int a, int b, int c) =>
        Enumerable.Range(0, a).Select(i => Enumerable.Range(0, b).Select(j => flat.AsSpan((i * b + j) * c, c).ToArray()).ToArray()).ToArray();
}
