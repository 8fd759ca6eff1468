using System.Net;
using AttentionService.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace AttentionService.Tests.Models;

/// <summary>
/// Under Auto, a model whose graph the managed backend refused at load is served by ONNX Runtime without trying the
/// managed backend first: no fallback logged or counted per request, only the one warning at load.
/// </summary>
public sealed class QuietAutoTests : IDisposable
{
    private readonly ModelRepository _repository = new ModelRepository().AddFixture("gru-bahdanau-step", name: "decoder");

    [Fact]
    public async Task ABackendThatNeverLoadedIsSkippedWithoutAFallbackOnEveryRequest()
    {
        const int Requests = 12;
        var events = new CapturedLogEvents();
        using var factory = _repository.Start(services => services.AddSingleton<ILogEventSink>(events));
        var client = factory.CreateClient();
        var model = await (await client.GetAsync("/models/decoder")).ReadObjectAsync();
        var warningsAfterLoad = Warnings(events);
        var fallbacksBefore = Fallbacks(await client.GetStringAsync("/metrics"));

        for (var i = 0; i < Requests; i++)
        {
            // batch 2 × 1 query × 5 keys: small enough that Auto routes it to the managed backend first.
            var response = await client.PostRawAsync(FixtureRequests.Body("gru-bahdanau-step", 0, "decoder", backend: null).ToJsonString());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("onnx", (string?)(await response.ReadObjectAsync())["backend"]);
        }
        var metrics = await client.GetStringAsync("/metrics");

        var managed = model["backends"]!.AsArray().Single(b => (string?)b!["name"] == "managed")!;
        Assert.False((bool)managed["ready"]!);
        Assert.Contains("GRU", (string?)managed["reason"]);
        Assert.True((bool)model["ready"]!);
        Assert.Contains(warningsAfterLoad, w => w.Contains("has no managed backend"));
        Assert.Equal(warningsAfterLoad, Warnings(events));
        Assert.DoesNotContain(events.All(), e => CapturedLogEvents.Text(e).StartsWith("Fallback", StringComparison.Ordinal));
        Assert.Equal(fallbacksBefore, Fallbacks(metrics));
        Assert.Contains($"attention_inferences_total{{model=\"decoder\",backend=\"onnx\"}} {Requests}", metrics);
    }

    private static List<string> Warnings(CapturedLogEvents events) =>
        events.All().Where(e => e.Level >= LogEventLevel.Warning).Select(CapturedLogEvents.Text).ToList();

    /// <summary>The fallback counter's series for the model (none at all when it never counted).</summary>
    private static string[] Fallbacks(string metrics) =>
        metrics.Split('\n').Where(line => line.StartsWith("attention_fallbacks_total{", StringComparison.Ordinal) && line.Contains("model=\"decoder\"")).ToArray();

    public void Dispose() => _repository.Dispose();
}
