using System.Net;
using System.Text.Json.Nodes;
using AttentionService.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;

namespace AttentionService.Tests.Http;

/// <summary>GET /models, /models/{name}, health and Swagger through the real app.</summary>
public sealed class ModelsEndpointTests(AttentionServiceFactory factory) : IClassFixture<AttentionServiceFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task ModelMetadataIsInKServeFormWithBothBackendsReady()
    {
        var response = await _client.GetAsync("/models/luong-dot");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var model = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal("luong-dot", (string?)model["name"]);
        Assert.Equal("onnx", (string?)model["platform"]);
        Assert.True((bool)model["ready"]!);
        var query = model["inputs"]!.AsArray().Single(i => (string?)i!["name"] == "query")!;
        Assert.Equal("FP32", (string?)query["datatype"]);
        Assert.Equal([-1L, -1L, -1L], query["shape"]!.AsArray().Select(d => (long)d!));
        Assert.Equal(["batch", "tq", "d"], query["dims"]!.AsArray().Select(d => (string)d!));
        var outputs = model["outputs"]!.AsArray().Select(o => (string)o!["name"]!).ToArray();
        Assert.Contains("context", outputs);
        Assert.Contains("weights", outputs);
        var backends = model["backends"]!.AsArray();
        Assert.Equal(["onnx", "managed"], backends.Select(b => (string)b!["name"]!));
        Assert.All(backends, b => Assert.True((bool)b!["ready"]!));
        Assert.StartsWith("ONNX Runtime 1.31.0 on CPU", (string?)backends[0]!["description"]);
        Assert.StartsWith("managed C# kernels", (string?)backends[1]!["description"]);
        Assert.Equal("dot", (string?)model["parameters"]!["attention.scoring"]);
    }

    [Fact]
    public async Task ACudaRequestWithoutCudaServesOnCpuAndIsReadyDegradedWithTheProviderFailureLoggedOnce()
    {
        var events = new CapturedLogEvents();
        using var cuda = new AttentionServiceFactory
        {
            Settings = { ["Attention:OnnxRuntime:ExecutionProvider"] = "Cuda" },
            ConfigureTestServices = services => services.AddSingleton<ILogEventSink>(events),
        };
        var client = cuda.CreateClient();

        var model = JsonNode.Parse(await client.GetStringAsync("/models/luong-dot"))!;
        var answer = await client.PostRawAsync("""{"query": [[1, 2]], "values": [[1, 2]], "backend": "onnx"}""");
        var ready = await client.GetAsync("/health/ready");

        var onnx = model["backends"]![0]!;
        Assert.True((bool)onnx["ready"]!);
        Assert.EndsWith("on CPU", (string?)onnx["description"]);
        Assert.Equal("onnx", (string?)(await answer.ReadObjectAsync())["backend"]);
        // Still ready (200), but not as configured: Degraded, with the CUDA provider's own failure (the CPU package
        // has no CUDA entry point).
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var readiness = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!;
        Assert.Equal("Degraded", (string?)readiness["status"]);
        Assert.Equal("Healthy", (string?)readiness["checks"]!["models"]!["status"]);
        var backends = readiness["checks"]!["backends"]!;
        Assert.Equal("Degraded", (string?)backends["status"]);
        var reason = (string?)backends["unavailable"]!["onnx"];
        Assert.StartsWith("Attention:OnnxRuntime:ExecutionProvider is Cuda, but ONNX Runtime cannot use CUDA:0: ", reason);
        Assert.Contains("OrtSessionOptionsAppendExecutionProvider_CUDA", reason);
        Assert.Contains(reason!, (string?)backends["description"]);
        // One line for the process, not one per model (every shipped model loads on onnx).
        var cudaLines = events.All().Select(CapturedLogEvents.Text).Where(t => t.Contains("cannot use CUDA:0")).ToList();
        Assert.Single(cudaLines);
        var onnxModels = OnnxModels(await client.GetStringAsync("/models"));
        Assert.True(onnxModels > 1, $"{onnxModels} model(s) on onnx: the log-once is not shown");
    }

    [Fact]
    public async Task TheCpuProviderAsConfiguredIsReadyHealthyWithBothBackendsAvailable()
    {
        var readiness = JsonNode.Parse(await _client.GetStringAsync("/health/ready"))!;

        Assert.Equal("Healthy", (string?)readiness["status"]);
        Assert.Equal("onnx: available; managed: available", (string?)readiness["checks"]!["backends"]!["description"]);
        Assert.Empty(readiness["checks"]!["backends"]!["unavailable"]!.AsObject());
    }

    /// <summary>How many models loaded on the onnx backend.</summary>
    private static int OnnxModels(string models) => JsonNode.Parse(models)!["models"]!.AsArray()
        .Count(m => m!["backends"]!.AsArray().Any(b => (string?)b!["name"] == "onnx" && (bool)b["ready"]!));

    [Fact]
    public async Task ModelListNamesEveryModelFileAndFolder()
    {
        var list = JsonNode.Parse(await _client.GetStringAsync("/models"))!["models"]!.AsArray();

        var expected = Directory.GetFiles(RepoPaths.Models, "*.onnx").Select(Path.GetFileNameWithoutExtension)
            .Concat(Directory.GetFiles(RepoPaths.Models, "seq2seq.json", SearchOption.AllDirectories).Select(f => Path.GetFileName(Path.GetDirectoryName(f))))
            .Order();
        Assert.Equal(expected, list.Select(m => (string?)m!["name"]).Order());
    }

    [Fact]
    public async Task HealthEndpointsAnswerReadyOnceModelsLoad()
    {
        var live = await _client.GetAsync("/health/live");
        var ready = await _client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", (string?)JsonNode.Parse(await ready.Content.ReadAsStringAsync())!["status"]);
    }

    [Fact]
    public async Task SwaggerDescribesExtraInputsAndOutputs()
    {
        var schemas = JsonNode.Parse(await _client.GetStringAsync("/swagger/v1/swagger.json"))!["components"]!["schemas"]!;

        var request = schemas["AttendRequest"]!["properties"]!;
        var response = schemas["AttendResponse"]!["properties"]!;
        Assert.Equal("object", (string?)request["inputs"]!["type"]);
        Assert.Equal("array", (string?)request["inputs"]!["additionalProperties"]!["type"]);
        Assert.Equal("string", (string?)request["outputs"]!["items"]!["type"]);
        Assert.Equal("array", (string?)response["outputs"]!["additionalProperties"]!["type"]);
        foreach (var field in new[] { request["inputs"], request["outputs"], response["outputs"] })
            Assert.False(string.IsNullOrWhiteSpace((string?)field!["description"]));
        Assert.NotNull(schemas["ModelMetadata"]!["properties"]!["binding"]);
    }

    [Fact]
    public async Task SwaggerDocumentsAttendWithAnExampleThatWorks()
    {
        var document = JsonNode.Parse(await _client.GetStringAsync("/swagger/v1/swagger.json"))!;
        var ui = await _client.GetAsync("/swagger/index.html");

        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        var attend = document["paths"]!["/attend"]!["post"]!;
        Assert.False(string.IsNullOrWhiteSpace((string?)attend["description"]));
        var schema = document["components"]!["schemas"]!["AttendRequest"]!;
        var example = (schema["example"] ?? schema["examples"]![0])!.ToJsonString();
        var response = await _client.PostRawAsync(example);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
