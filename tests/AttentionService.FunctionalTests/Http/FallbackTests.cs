using System.Net;
using AttentionService.Core.Backends;
using AttentionService.Tests.Reference;
using AttentionService.Tests.Support;
using static AttentionService.Tests.Support.AttendClient;

namespace AttentionService.Tests.Http;

/// <summary>
/// Under Auto, the managed backend answers with the same numbers whenever ONNX Runtime cannot, and for small requests
/// (which start on the managed backend) the other way round.
/// </summary>
public sealed class FallbackTests
{
    private static readonly Random Rng = new(5);
    private static readonly float[][] Query = ReferenceAttention.Random(Rng, 4, 64);
    private static readonly float[][] Values = ReferenceAttention.Random(Rng, 12, 64);

    [Theory]
    [InlineData(FaultInjection.Fault.CannotCreate)]
    [InlineData(FaultInjection.Fault.RequestRunsFail)]
    [InlineData(FaultInjection.Fault.EveryRunFails)]
    public async Task ManagedAnswersWithTheReferenceNumbersWhenOnnxRuntimeFails(FaultInjection.Fault fault)
    {
        using var factory = new AttentionServiceFactory
        {
            Settings = { ["Attention:AutoManagedMaxScores"] = "0" },
            ConfigureTestServices = services => services.InjectFault(BackendKind.Onnx, fault),
        };
        var client = factory.CreateClient();

        var response = await client.PostAttendAsync(new { query = Query, values = Values });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadObjectAsync();
        Assert.Equal("managed", (string?)body["backend"]);
        var (context, weights) = ReferenceAttention.DotProduct(Query, Values, Values);
        Numerics.AssertClose(context, Matrix(body["context"]), AttendEndpointTests.Tolerance);
        Numerics.AssertClose(weights, Matrix(body["weights"]), AttendEndpointTests.Tolerance);
        var metrics = await client.GetStringAsync("/metrics");
        if (fault == FaultInjection.Fault.RequestRunsFail)
            Assert.Matches("""attention_fallbacks_total\{model="luong-dot",from="onnx",to="managed"\} [1-9]""", metrics);
        else
            // ONNX Runtime never loaded (its session or its warm-up failed): not tried, so no fallback to count.
            Assert.DoesNotMatch("""attention_fallbacks_total\{model="luong-dot",from="onnx",to="managed"\} [1-9]""", metrics);
    }

    [Fact]
    public async Task ASmallRequestFallsBackFromAFailingManagedBackendToOnnxRuntime()
    {
        using var factory = new AttentionServiceFactory { ConfigureTestServices = services => services.InjectFault(BackendKind.Managed, FaultInjection.Fault.RequestRunsFail) };
        var client = factory.CreateClient();

        var response = await client.PostAttendAsync(new { query = Query, values = Values });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadObjectAsync();
        Assert.Equal("onnx", (string?)body["backend"]);
        var (context, weights) = ReferenceAttention.DotProduct(Query, Values, Values);
        Numerics.AssertClose(context, Matrix(body["context"]), AttendEndpointTests.Tolerance);
        Numerics.AssertClose(weights, Matrix(body["weights"]), AttendEndpointTests.Tolerance);
        Assert.Matches("""attention_fallbacks_total\{model="luong-dot",from="managed",to="onnx"\} [1-9]""", await client.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task ForcingAnUnavailableBackendIs503WithRetryAfter()
    {
        using var factory = new AttentionServiceFactory { ConfigureTestServices = services => services.InjectFault(BackendKind.Onnx, FaultInjection.Fault.CannotCreate) };
        var client = factory.CreateClient();

        var response = await client.PostAttendAsync(new { query = Query, values = Values, backend = "onnx" });

        await Problems.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "injected: Onnx cannot create a session");
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task OnnxPolicyDoesNotFallBack()
    {
        using var factory = new AttentionServiceFactory
        {
            Settings = { ["Attention:Backend"] = "Onnx" },
            ConfigureTestServices = services => services.InjectFault(BackendKind.Onnx, FaultInjection.Fault.RequestRunsFail),
        };
        var client = factory.CreateClient();

        var response = await client.PostAttendAsync(new { query = Query, values = Values });

        await Problems.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "injected: Onnx run failed");
    }

    [Fact]
    public async Task ABackendWhoseWarmUpFailsIsReportedUnavailableAtLoad()
    {
        using var factory = new AttentionServiceFactory { ConfigureTestServices = services => services.InjectFault(BackendKind.Onnx, FaultInjection.Fault.EveryRunFails) };
        var client = factory.CreateClient();

        var model = await (await client.GetAsync("/models/luong-dot")).ReadObjectAsync();

        var onnx = model["backends"]!.AsArray().Single(b => (string?)b!["name"] == "onnx")!;
        Assert.False((bool)onnx["ready"]!);
        Assert.Equal("the warm-up run failed: injected: Onnx run failed", (string?)onnx["reason"]);
        Assert.True((bool)model["ready"]!);
    }

    [Fact]
    public async Task ManagedPolicyServesFromManaged()
    {
        using var factory = new AttentionServiceFactory { Settings = { ["Attention:Backend"] = "Managed" } };
        var client = factory.CreateClient();

        var body = await (await client.PostAttendAsync(new { query = Query, values = Values })).ReadObjectAsync();

        Assert.Equal("managed", (string?)body["backend"]);
    }
}
