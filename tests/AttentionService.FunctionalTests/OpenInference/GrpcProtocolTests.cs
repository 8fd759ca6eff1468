using System.Net;
using System.Text.Json.Nodes;
using AttentionService.Tests.Deployment;
using AttentionService.Tests.Support;
using static AttentionService.Tests.OpenInference.V2Client;

namespace AttentionService.Tests.OpenInference;

/// <summary>The service with its gRPC port, run as its own process on loopback, for all the tests of a class.</summary>
public sealed class GrpcServiceProcess : IAsyncLifetime
{
    private ServiceProcess? _service;

    public int GrpcPort { get; } = ServiceProcess.FreePort();

    public ServiceProcess Service => _service ?? throw new InvalidOperationException("the service has not started");

    public async Task InitializeAsync() =>
        _service = await ServiceProcess.StartAsync(AppContext.BaseDirectory, $"--Attention:Exposure:GrpcPort={GrpcPort}");

    public async Task DisposeAsync()
    {
        if (_service is not null) await _service.DisposeAsync();
    }
}

/// <summary>
/// <c>inference.GRPCInferenceService</c> driven by a client that Node's @grpc/proto-loader generates from the official
/// proto (tests/fixtures/open-inference-protocol), a different toolchain than the server's Grpc.Tools: the same
/// metadata, readiness and numbers as the REST API, typed and raw contents, and errors as gRPC statuses. Needs
/// `npm ci --prefix tests/AttentionService.FunctionalTests/OpenInference/node`, which .ci/run does.
/// </summary>
public sealed class GrpcProtocolTests(GrpcServiceProcess shared) : IClassFixture<GrpcServiceProcess>
{
    private static readonly string NodeFolder = Path.Combine(RepoPaths.Root, "tests", "AttentionService.FunctionalTests", "OpenInference", "node");

    private readonly HttpClient _rest = shared.Service.Client;

    /// <summary>Runs the calls in one Node process; each result is {"response": …} or {"code", "status", "details"}.</summary>
    private JsonArray Call(params (string Method, JsonObject Request)[] calls)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, new JsonArray(calls.Select(c => (JsonNode)new JsonObject { ["method"] = c.Method, ["request"] = c.Request }).ToArray()).ToJsonString());
            var result = ExternalCommand.Run("node",
                [Path.Combine(NodeFolder, "client.mjs"), Path.Combine(OpenInferenceSpec.Folder, "open_inference_grpc.proto"), $"127.0.0.1:{shared.GrpcPort}", file],
                TimeSpan.FromMinutes(1));
            Assert.True(result.ExitCode == 0, result.Transcript + shared.Service.Output);
            var results = JsonNode.Parse(result.StandardOutput)!.AsArray();
            Assert.Equal(calls.Length, results.Count);
            return results;
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static JsonNode Response(JsonNode? result) =>
        result!["response"] ?? throw new Xunit.Sdk.XunitException($"the call failed: {result.ToJsonString()}");

    [RequiresNodeGrpcFact]
    public async Task HealthAndMetadataAnswerAsTheRestApiDoes()
    {
        var results = Call(
            ("ServerLive", new JsonObject()),
            ("ServerReady", new JsonObject()),
            ("ModelReady", new JsonObject { ["name"] = "luong-dot" }),
            ("ModelReady", new JsonObject { ["name"] = "multihead", ["version"] = "1" }),
            ("ServerMetadata", new JsonObject()),
            ("ModelMetadata", new JsonObject { ["name"] = "luong-general" }));

        Assert.True((bool)Response(results[0])["live"]!);
        Assert.True((bool)Response(results[1])["ready"]!);
        Assert.True((bool)Response(results[2])["ready"]!);
        Assert.True((bool)Response(results[3])["ready"]!);
        var server = await (await _rest.GetAsync("/v2")).ReadObjectAsync();
        Assert.Equal((string?)server["name"], (string?)Response(results[4])["name"]);
        Assert.Equal((string?)server["version"], (string?)Response(results[4])["version"]);
        Assert.Equal(["binary_tensor_data"], Response(results[4])["extensions"]!.AsArray().Select(e => (string?)e));
        var model = await (await _rest.GetAsync("/v2/models/luong-general")).ReadObjectAsync();
        var metadata = Response(results[5]);
        Assert.Equal("onnx_onnxv1", (string?)metadata["platform"]);
        foreach (var part in new[] { "inputs", "outputs" })
            Assert.Equal(model[part]!.AsArray().Select(Text), metadata[part]!.AsArray().Select(Text));
        Assert.Equal((string?)model["properties"]!["backends"], (string?)metadata["properties"]!["backends"]);
    }

    [RequiresNodeGrpcTheory]
    [InlineData("onnx")]
    [InlineData("managed")]
    public async Task ModelInferAnswersTheRestNumbersFromTypedAndRawContents(string backend)
    {
        var (query, keys, values, mask) = RestProtocolTests.Tensors(batch: 2, tq: 3, tv: 5, d: 64, seed: 11);
        var rest = Request(Fp32("query", [2, 3, 64], query), Fp32("keys", [2, 5, 64], keys), Fp32("values", [2, 5, 64], values), Fp32("mask", [2, 3, 5], mask));
        rest["parameters"] = new JsonObject { ["backend"] = backend };
        var expected = await ReadAnswerAsync(await _rest.InferAsync("bahdanau", rest));

        JsonObject Tensor(string name, int[] shape, float[]? data) => new()
        {
            ["name"] = name, ["datatype"] = "FP32", ["shape"] = new JsonArray(shape.Select(d => (JsonNode)d).ToArray()),
            ["contents"] = data is null ? null : new JsonObject { ["fp32_contents"] = new JsonArray(data.Select(x => (JsonNode)x).ToArray()) },
        };
        JsonObject Infer(bool raw, bool rawOutput) => new()
        {
            ["model_name"] = "bahdanau",
            ["id"] = raw ? "raw" : "typed",
            ["parameters"] = new JsonObject
            {
                ["backend"] = new JsonObject { ["string_param"] = backend },
                ["binary_data_output"] = new JsonObject { ["bool_param"] = rawOutput },
            },
            ["inputs"] = new JsonArray(Tensor("query", [2, 3, 64], raw ? null : query), Tensor("keys", [2, 5, 64], raw ? null : keys),
                Tensor("values", [2, 5, 64], raw ? null : values), Tensor("mask", [2, 3, 5], raw ? null : mask)),
            ["raw_input_contents"] = raw
                ? new JsonArray(new[] { query, keys, values, mask }.Select(t => (JsonNode)Convert.ToBase64String(LittleEndian(t))).ToArray())
                : new JsonArray(),
        };
        var results = Call(("ModelInfer", Infer(raw: false, rawOutput: false)), ("ModelInfer", Infer(raw: true, rawOutput: true)));

        foreach (var result in results)
        {
            var response = Response(result);
            Assert.Equal("bahdanau", (string?)response["model_name"]);
            Assert.Equal("1", (string?)response["model_version"]);
            Assert.Equal(backend, (string?)response["parameters"]!["backend"]!["string_param"]);
            var outputs = response["outputs"]!.AsArray();
            var raw = response["raw_output_contents"]!.AsArray();
            Assert.Equal(["context", "weights"], outputs.Select(o => (string?)o!["name"]));
            for (var i = 0; i < outputs.Count; i++)
            {
                var name = (string)outputs[i]!["name"]!;
                Assert.Equal(expected.Outputs[name].Shape, outputs[i]!["shape"]!.AsArray().Select(d => (int)d!));
                var data = raw.Count > 0
                    ? Floats(Convert.FromBase64String((string)raw[i]!))
                    : outputs[i]!["contents"]!["fp32_contents"]!.AsArray().Select(x => (double)(float)(double)x!).ToArray();
                Assert.Equal(expected.Outputs[name].Data, data);
            }
        }
        Assert.Empty(Response(results[0])["raw_output_contents"]!.AsArray());
        Assert.Equal(2, Response(results[1])["raw_output_contents"]!.AsArray().Count);
    }

    [RequiresNodeGrpcFact]
    public void FaultsAreGrpcStatusesWithTheRestDetail()
    {
        JsonObject Query(string model, string datatype = "FP32", int elements = 2, string version = "") => new()
        {
            ["model_name"] = model,
            ["model_version"] = version,
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "query", ["datatype"] = datatype, ["shape"] = new JsonArray(1, 1, 2),
                ["contents"] = new JsonObject { ["fp32_contents"] = new JsonArray(Enumerable.Range(0, elements).Select(_ => (JsonNode)1.0).ToArray()) },
            }),
        };
        var results = Call(
            ("ModelInfer", Query("nope")),
            ("ModelInfer", Query("luong-dot", version: "2")),
            ("ModelInfer", Query("luong-dot", datatype: "FP16")),
            ("ModelInfer", Query("luong-dot", elements: 3)),
            ("ModelInfer", Query("luong-dot")),
            ("ModelMetadata", new JsonObject { ["name"] = "nope" }),
            ("ModelReady", new JsonObject { ["name"] = "luong-dot", ["version"] = "7" }));

        (string Status, string Details)[] expected =
        [
            ("NOT_FOUND", "model 'nope' not found; models are bahdanau"),
            ("NOT_FOUND", "model 'luong-dot' has no version '2'; its versions are 1"),
            ("INVALID_ARGUMENT", "input 'query' has datatype 'FP16'; inputs are FP32, INT64 or BOOL"),
            ("INVALID_ARGUMENT", "input 'query' has 3 elements in contents.fp32_contents; shape [1, 1, 2] takes 2"),
            ("INVALID_ARGUMENT", "model 'luong-dot' needs input 'values'"),
            ("NOT_FOUND", "model 'nope' not found"),
            ("NOT_FOUND", "has no version '7'"),
        ];
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(expected[i].Status == (string?)results[i]!["status"], $"call {i}: {results[i]!.ToJsonString()}");
            Assert.Contains(expected[i].Details, (string?)results[i]!["details"]);
        }
    }

    [Fact]
    public async Task TheRestPortStillSpeaksHttp1AndTheGrpcPortOnlyHttp2()
    {
        Assert.Equal(HttpStatusCode.OK, (await _rest.GetAsync("/v2/health/live")).StatusCode);
        using var http1 = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{shared.GrpcPort}") };
        try
        {
            var refused = await http1.GetAsync("/v2/health/live");
            Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);
        }
        catch (HttpRequestException)
        {
            // Kestrel may also just close the connection on HTTP/1.1 there.
        }
        using var h2c = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{shared.GrpcPort}"), DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        Assert.Equal(HttpStatusCode.OK, (await h2c.GetAsync("/v2/health/live")).StatusCode);
    }

    private static string Text(JsonNode? tensor) => $"{tensor!["name"]} {tensor["datatype"]} {tensor["shape"]!.ToJsonString()}";

    private static double[] Floats(byte[] bytes) =>
        Enumerable.Range(0, bytes.Length / 4).Select(i => (double)BitConverter.ToSingle(bytes, i * 4)).ToArray();

    /// <summary>Skips, saying how to install it, when node or the client's packages are missing.</summary>
    private sealed class RequiresNodeGrpcFactAttribute : FactAttribute
    {
        public RequiresNodeGrpcFactAttribute() => Skip = SkipReason();
    }

    private sealed class RequiresNodeGrpcTheoryAttribute : TheoryAttribute
    {
        public RequiresNodeGrpcTheoryAttribute() => Skip = SkipReason();
    }

    private static string? SkipReason() =>
        ExternalCommand.Find("node") is null ? "'node' is not on PATH; the gRPC client is generated and run on Node.js"
        : !Directory.Exists(Path.Combine(NodeFolder, "node_modules", "@grpc", "proto-loader"))
            ? "tests/AttentionService.FunctionalTests/OpenInference/node has no node_modules; run `npm ci --prefix tests/AttentionService.FunctionalTests/OpenInference/node` (.ci/run does)"
            : null;
}
