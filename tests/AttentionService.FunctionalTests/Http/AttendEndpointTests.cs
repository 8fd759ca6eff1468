using System.Net;
using AttentionService.Tests.Reference;
using AttentionService.Tests.Support;
using static AttentionService.Tests.Support.AttendClient;

namespace AttentionService.Tests.Http;

/// <summary>POST /attend through the real app: numbers against the independent reference, on both backends.</summary>
public sealed class AttendEndpointTests(AttentionServiceFactory factory) : IClassFixture<AttentionServiceFactory>
{
    /// <summary>Absolute tolerance of float32 backends against the double-precision reference.</summary>
    internal const double Tolerance = 1e-5;

    private readonly HttpClient _client = factory.CreateClient();

    [Theory]
    [InlineData(1, 1, 8)]
    [InlineData(3, 5, 8)]
    [InlineData(7, 1, 64)]
    [InlineData(16, 33, 64)]
    public async Task UnbatchedRequestMatchesTheReference(int tq, int tv, int d)
    {
        var rng = new Random(tq * 1000 + tv * 10 + d);
        var query = ReferenceAttention.Random(rng, tq, d);
        var values = ReferenceAttention.Random(rng, tv, d);

        var response = await _client.PostAttendAsync(new { query, values });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadObjectAsync();
        Assert.Equal("luong-dot", (string?)body["model"]);
        var (context, weights) = ReferenceAttention.DotProduct(query, values, values);
        Numerics.AssertClose(context, Matrix(body["context"]), Tolerance);
        Numerics.AssertClose(weights, Matrix(body["weights"]), Tolerance);
    }

    [Theory]
    [InlineData("onnx", 3)]
    [InlineData("managed", 3)]
    [InlineData("onnx", 100)]
    [InlineData("managed", 100)]
    public async Task ScaledDotTakesAnyDAndScalesByItsSquareRoot(string backend, int d)
    {
        var rng = new Random(d);
        var query = ReferenceAttention.Random(rng, 2, d);
        var keys = ReferenceAttention.Random(rng, 4, d);
        var values = ReferenceAttention.Random(rng, 4, 5);

        var response = await _client.PostAttendAsync(new { model = "scaled-dot", backend, query, keys, values });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadObjectAsync();
        var (context, weights) = ReferenceAttention.DotProduct(query, keys, values, scale: 1 / Math.Sqrt(d));
        Numerics.AssertClose(context, Matrix(body["context"]), Tolerance);
        Numerics.AssertClose(weights, Matrix(body["weights"]), Tolerance);
    }

    [Fact]
    public async Task BatchedRequestKeepsTheBatchAxisAndMatchesTheReferencePerItem()
    {
        var rng = new Random(7);
        var query = Enumerable.Range(0, 3).Select(_ => ReferenceAttention.Random(rng, 4, 16)).ToArray();
        var values = Enumerable.Range(0, 3).Select(_ => ReferenceAttention.Random(rng, 6, 16)).ToArray();

        var response = await _client.PostAttendAsync(new { model = "luong-dot", query, values });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadObjectAsync();
        var context = Batch(body["context"]);
        var weights = Batch(body["weights"]);
        Assert.Equal(3, context.Length);
        for (var b = 0; b < 3; b++)
        {
            var expected = ReferenceAttention.DotProduct(query[b], values[b], values[b]);
            Numerics.AssertClose(expected.Context, context[b], Tolerance);
            Numerics.AssertClose(expected.Weights, weights[b], Tolerance);
        }
    }

    [Theory]
    [InlineData(1, 1, 1, "managed")]
    [InlineData(1, 32, 32, "managed")]
    [InlineData(4, 16, 16, "managed")]
    [InlineData(1, 32, 33, "onnx")]
    [InlineData(5, 16, 16, "onnx")]
    public async Task AutoPolicyServesUpTo1024ScoresFromManagedAndLargerRequestsFromOnnxRuntime(int batch, int tq, int tv, string backend)
    {
        var rng = new Random(batch * 1000 + tq * 10 + tv);
        var query = Enumerable.Range(0, batch).Select(_ => ReferenceAttention.Random(rng, tq, 8)).ToArray();
        var values = Enumerable.Range(0, batch).Select(_ => ReferenceAttention.Random(rng, tv, 8)).ToArray();

        var response = await _client.PostAttendAsync(new { query, values });

        Assert.Equal(backend, (string?)(await response.ReadObjectAsync())["backend"]);
    }

    [Fact]
    public async Task AutoPolicyWithoutTheSmallRequestRouteServesEverythingFromOnnxRuntime()
    {
        using var onnxFirst = new AttentionServiceFactory { Settings = { ["Attention:AutoManagedMaxScores"] = "0" } };

        var response = await onnxFirst.CreateClient().PostAttendAsync(new { query = new[] { new[] { 1f, 2f } }, values = new[] { new[] { 3f, 4f } } });

        Assert.Equal("onnx", (string?)(await response.ReadObjectAsync())["backend"]);
    }

    [Fact]
    public async Task BothBackendsAnswerTheSameNumbersWhenForced()
    {
        var rng = new Random(11);
        var query = ReferenceAttention.Random(rng, 9, 64);
        var values = ReferenceAttention.Random(rng, 31, 64);

        var onnx = await (await _client.PostAttendAsync(new { query, values, backend = "onnx" })).ReadObjectAsync();
        var managed = await (await _client.PostAttendAsync(new { query, values, backend = "managed" })).ReadObjectAsync();

        Assert.Equal("onnx", (string?)onnx["backend"]);
        Assert.Equal("managed", (string?)managed["backend"]);
        Numerics.AssertClose(Matrix(onnx["context"]), Matrix(managed["context"]), Tolerance);
        Numerics.AssertClose(Matrix(onnx["weights"]), Matrix(managed["weights"]), Tolerance);
    }
}
