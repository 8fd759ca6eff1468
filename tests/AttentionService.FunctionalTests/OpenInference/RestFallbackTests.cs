using System.Net;
using AttentionService.Core.Backends;
using AttentionService.Tests.Support;
using static AttentionService.Tests.OpenInference.V2Client;

namespace AttentionService.Tests.OpenInference;

/// <summary>
/// /v2 on the same backend choice and fallbacks as /attend: with ONNX Runtime unable to create any session, the
/// managed backend answers, metadata names only it, and a request forcing onnx is a 503 with Retry-After in the
/// protocol's form.
/// </summary>
public sealed class RestFallbackTests : IDisposable
{
    private readonly AttentionServiceFactory _factory = new()
    {
        ConfigureTestServices = services => services.InjectFault(BackendKind.Onnx, FaultInjection.Fault.CannotCreate),
    };

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task WithoutOnnxRuntimeTheManagedBackendAnswersAndForcingOnnxIs503()
    {
        var client = _factory.CreateClient();
        var (query, _, values, _) = RestProtocolTests.Tensors(batch: 1, tq: 40, tv: 40, d: 8, seed: 1);
        var body = Request(Fp32("query", [1, 40, 8], query), Fp32("values", [1, 40, 8], values));

        var answered = await client.InferAsync("luong-dot", body);
        var answer = await OpenInferenceSpec.AssertConformsAsync(HttpMethod.Post, InferPath("luong-dot"), answered);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal("managed", (string?)answer!["parameters"]!["backend"]);

        var metadata = await OpenInferenceSpec.AssertConformsAsync(HttpMethod.Get, "/v2/models/luong-dot", await client.GetAsync("/v2/models/luong-dot"));
        Assert.Equal("managed", (string?)metadata!["properties"]!["backends"]);

        body["parameters"] = new System.Text.Json.Nodes.JsonObject { ["backend"] = "onnx" };
        var refused = await client.InferAsync("luong-dot", body);
        var error = await OpenInferenceSpec.AssertConformsAsync(HttpMethod.Post, InferPath("luong-dot"), refused);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Contains("model 'luong-dot': backend 'onnx' cannot serve it", (string?)error!["error"]);
    }
}
