using System.Net;
using AttentionService.Core.Backends;
using AttentionService.Tests.Support;
using static AttentionService.Tests.Support.FaultInjection;

namespace AttentionService.Tests.Seq2Seq;

/// <summary>
/// A text decode is protected as a tensor request is: its footprint reserved in the memory budget, one slot of the
/// inference gate for the whole decode, the request timeout, and backend fallback (both graphs on one backend).
/// </summary>
public sealed class TextProtectionTests
{
    private const string Body = """{"model": "dates", "source": "24 November 2026"}""";

    [Fact]
    public async Task ADecodeThatCouldNeverFitTheBudgetIs413SayingWhatItNeeds()
    {
        using var factory = new AttentionServiceFactory { Settings = { ["Attention:Memory:BudgetBytes"] = "100000" } };

        var response = await factory.CreateClient().PostRawAsync(Body);

        await Problems.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "more than the memory budget of 100000 bytes (Attention:Memory:BudgetBytes)");
        Assert.Matches(@"the request needs \d+ bytes \(request texts \d+, sources \d+, encoder run \d+.*, decoder step \d+ \(estimated\), weights and context of 16 steps \d+",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ADecodeHoldsOneInferenceSlotFromEncoderToLastStep()
    {
        var gate = new GatedBackends();
        using var factory = new AttentionServiceFactory
        {
            Settings = { ["Attention:Concurrency:MaxConcurrentRuns"] = "1", ["Attention:Concurrency:QueueLength"] = "0" },
            ConfigureTestServices = gate.Install,
        };
        var client = factory.CreateClient();

        var first = client.PostRawAsync(Body);
        await gate.WaitUntilEnteredAsync(1);
        var refused = await client.PostRawAsync(Body);
        gate.Open(1000);

        await Problems.AssertProblemAsync(refused, HttpStatusCode.ServiceUnavailable, "1 inferences are running and 0 waiting (Attention:Concurrency)");
        var answer = await (await first).ReadObjectAsync();
        Assert.Equal("2026-11-24", (string?)answer["output"]);
        // The encoder once and a decoder step per output token, all under the one slot.
        Assert.Equal(1 + answer["outputTokens"]!.AsArray().Count, gate.Entered);
    }

    [Fact]
    public async Task ADecodePastTheRequestTimeoutIsStoppedAnd503()
    {
        var gate = new GatedBackends();
        using var factory = new AttentionServiceFactory { Settings = { ["Attention:RequestTimeoutSeconds"] = "1" }, ConfigureTestServices = gate.Install };

        var response = await factory.CreateClient().PostRawAsync(Body);

        await Problems.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "queueing and inference took longer than 1 s (Attention:RequestTimeoutSeconds)");
        await gate.WaitUntilCancelledAsync(1);
    }

    [Fact]
    public async Task ADecodeThatFailsOnOneBackendStartsOverOnTheOther()
    {
        using var factory = new AttentionServiceFactory { ConfigureTestServices = services => services.InjectFault(BackendKind.Managed, Fault.RequestRunsFail) };
        var client = factory.CreateClient();

        var response = await client.PostRawAsync(Body);
        var forced = await client.PostRawAsync("""{"model": "dates", "source": "24 November 2026", "backend": "managed"}""");

        var answer = await response.ReadObjectAsync();
        Assert.Equal("onnx", (string?)answer["backend"]);
        Assert.Equal("2026-11-24", (string?)answer["output"]);
        Assert.Contains("attention_fallbacks_total{model=\"dates\",from=\"managed\",to=\"onnx\"} 1", await client.GetStringAsync("/metrics"));
        await Problems.AssertProblemAsync(forced, HttpStatusCode.ServiceUnavailable, "model 'dates': backend 'managed' cannot serve it (managed: decode failed: injected: Managed run failed)");
    }

    [Fact]
    public async Task ABackendThatCannotLoadTheGraphsIsNotAvailableForTheModel()
    {
        using var factory = new AttentionServiceFactory { ConfigureTestServices = services => services.InjectFault(BackendKind.Onnx, Fault.CannotCreate) };
        var client = factory.CreateClient();

        var model = await client.GetObjectAsync("/models/dates");
        var response = await client.PostRawAsync(Body);

        var onnx = model["backends"]!.AsArray().Single(b => (string?)b!["name"] == "onnx")!;
        Assert.False((bool)onnx["ready"]!);
        Assert.StartsWith("dates/encoder.onnx: injected: Onnx cannot create a session", (string?)onnx["reason"]);
        Assert.True((bool)model["ready"]!);
        Assert.Equal("managed", (string?)(await response.ReadObjectAsync())["backend"]);
    }
}
