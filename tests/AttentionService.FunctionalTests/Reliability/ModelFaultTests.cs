using System.Net;
using System.Text.Json.Nodes;
using AttentionService.Tests.Http;
using AttentionService.Tests.Reference;
using AttentionService.Tests.Support;
using static AttentionService.Tests.Support.AttendClient;

namespace AttentionService.Tests.Reliability;

/// <summary>
/// Broken model files at start-up (truncated, random bytes, empty, damaged in place, missing): the service still starts,
/// /models and /health/ready name each broken model and why, and the healthy models serve.
/// </summary>
public sealed class ModelFaultTests : IDisposable
{
    private static readonly string[] AllModels = ["bahdanau", "luong-dot", "luong-general", "multihead", "scaled-dot"];

    private readonly string _models = Path.Combine(Path.GetTempPath(), "attention-models-" + Guid.NewGuid().ToString("N"));

    public ModelFaultTests()
    {
        Directory.CreateDirectory(_models);
        foreach (var name in AllModels) File.Copy(RepoPaths.Model(name), ModelPath(name));
    }

    [Fact]
    public async Task TruncatedRandomAndEmptyFilesAreReportedWhileTheOtherModelsServe()
    {
        var truncated = File.ReadAllBytes(ModelPath("scaled-dot"));
        File.WriteAllBytes(ModelPath("scaled-dot"), truncated[..(truncated.Length / 2)]);
        var random = new byte[File.ReadAllBytes(ModelPath("luong-general")).Length];
        new Random(17).NextBytes(random);
        File.WriteAllBytes(ModelPath("luong-general"), random);
        File.WriteAllBytes(ModelPath("bahdanau"), []);
        using var factory = Start();
        var client = factory.CreateClient();

        var models = await ModelsByName(client);
        var ready = await client.GetAsync("/health/ready");
        var readiness = await ready.ReadObjectAsync();

        foreach (var broken in new[] { "scaled-dot", "luong-general", "bahdanau" })
        {
            Assert.False((bool)models[broken]["ready"]!);
            var reason = (string?)models[broken]["reason"];
            Assert.Contains($"{broken}.onnx", reason);
            Assert.Contains("not an ONNX model", reason);
        }
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Degraded", (string?)readiness["status"]);
        var check = readiness["checks"]!["models"]!;
        foreach (var broken in new[] { "scaled-dot", "luong-general", "bahdanau" })
        {
            Assert.Contains($"{broken}: {broken}.onnx: not an ONNX model", (string?)check["description"]);
            Assert.Contains($"{broken}.onnx", (string?)check["unavailable"]![broken]);
        }
        Assert.True((bool)models["multihead"]["ready"]!);
        await AssertServesTheReferenceNumbers(client);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAttendAsync(new { model = "multihead", query = Random(2, 64), values = Random(3, 64) })).StatusCode);
    }

    [Fact]
    public async Task ABrokenModelAnswers503NamingItsFileAndRetryAfter()
    {
        File.WriteAllBytes(ModelPath("scaled-dot"), File.ReadAllBytes(ModelPath("scaled-dot"))[..100]);
        using var factory = Start();
        var client = factory.CreateClient();

        var response = await client.PostAttendAsync(new { model = "scaled-dot", query = Random(1, 64), values = Random(2, 64) });

        await Problems.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "model 'scaled-dot' failed to load: scaled-dot.onnx: not an ONNX model");
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task AMissingDefaultModelMakesTheServiceUnreadyWhileTheOthersServe()
    {
        using var factory = Start(defaultModel: "seq2seq");
        var client = factory.CreateClient();

        var ready = await client.GetAsync("/health/ready");
        var readiness = await ready.ReadObjectAsync();
        var models = await ModelsByName(client);
        var unnamed = await client.PostAttendAsync(new { query = Random(1, 4), values = Random(2, 4) });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", (string?)readiness["status"]);
        Assert.Contains("default model unavailable: seq2seq: the default model has no file", (string?)readiness["checks"]!["models"]!["description"]);
        Assert.False((bool)models["seq2seq"]["ready"]!);
        Assert.Equal("the default model has no file seq2seq.onnx", (string?)models["seq2seq"]["reason"]);
        await Problems.AssertProblemAsync(unnamed, HttpStatusCode.ServiceUnavailable, "model 'seq2seq' failed to load: the default model has no file");
        await AssertServesTheReferenceNumbers(client);
    }

    [Fact]
    public async Task ATruncatedDefaultModelMakesTheServiceUnreadyNamingIt()
    {
        var bytes = File.ReadAllBytes(ModelPath("luong-dot"));
        File.WriteAllBytes(ModelPath("luong-dot"), bytes[..(bytes.Length * 3 / 4)]);
        using var factory = Start();
        var client = factory.CreateClient();

        var ready = await client.GetAsync("/health/ready");
        var readiness = await ready.ReadObjectAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("default model unavailable: luong-dot: luong-dot.onnx: not an ONNX model", (string?)readiness["checks"]!["models"]!["description"]);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAttendAsync(new { model = "multihead", query = Random(1, 64), values = Random(2, 64) })).StatusCode);
    }

    /// <summary>
    /// Bytes overwritten inside a file (the damage a bad disk or copy does) may leave a model that loads with wrong
    /// numbers, or that one backend or both refuse; either way the service starts, every model is reported, and no
    /// request to any model is a 500.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public async Task FilesDamagedInPlaceNeverStopTheServiceNorGive500(int seed)
    {
        var rng = new Random(seed);
        foreach (var name in AllModels)
        {
            var bytes = File.ReadAllBytes(ModelPath(name));
            var at = rng.Next(bytes.Length);
            var length = Math.Min(rng.Next(1, 64), bytes.Length - at);
            rng.NextBytes(bytes.AsSpan(at, length));
            File.WriteAllBytes(ModelPath(name), bytes);
        }
        using var factory = Start();
        var client = factory.CreateClient();

        var ready = await client.GetAsync("/health/ready");
        var models = await ModelsByName(client);

        Assert.Contains(ready.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable });
        Assert.Equal(AllModels, models.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, model) in models)
        {
            if (!(bool)model["ready"]!) Assert.Contains($"{name}.onnx", (string?)model["reason"] ?? "");
            foreach (var backend in new[] { "onnx", "managed" })
            {
                var d = name == "luong-dot" ? 8 : 64;
                var response = await client.PostAttendAsync(new { model = name, backend, query = Random(2, d), values = Random(3, d) });
                Assert.True((int)response.StatusCode < 500 || response.StatusCode == HttpStatusCode.ServiceUnavailable,
                    $"{name} on {backend}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                if (response.StatusCode != HttpStatusCode.OK)
                    await Problems.AssertProblemAsync(response, response.StatusCode, null);
            }
        }
    }

    private AttentionServiceFactory Start(string? defaultModel = null)
    {
        var factory = new AttentionServiceFactory { Settings = { ["Attention:ModelsPath"] = _models } };
        if (defaultModel is not null) factory.Settings["Attention:DefaultModel"] = defaultModel;
        return factory;
    }

    private string ModelPath(string name) => Path.Combine(_models, name + ".onnx");

    private static async Task<Dictionary<string, JsonObject>> ModelsByName(HttpClient client)
    {
        var list = await (await client.GetAsync("/models")).ReadObjectAsync();
        return list["models"]!.AsArray().Select(m => m!.AsObject()).ToDictionary(m => (string)m["name"]!);
    }

    private static async Task AssertServesTheReferenceNumbers(HttpClient client)
    {
        var query = Random(3, 8);
        var values = Random(5, 8);

        var response = await client.PostAttendAsync(new { model = "luong-dot", query, values });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadObjectAsync();
        var (context, weights) = ReferenceAttention.DotProduct(query, values, values);
        Numerics.AssertClose(context, Matrix(body["context"]), AttendEndpointTests.Tolerance);
        Numerics.AssertClose(weights, Matrix(body["weights"]), AttendEndpointTests.Tolerance);
    }

    private static float[][] Random(int rows, int cols) => ReferenceAttention.Random(new Random(rows * 100 + cols), rows, cols);

    public void Dispose()
    {
        if (Directory.Exists(_models)) Directory.Delete(_models, recursive: true);
    }
}
