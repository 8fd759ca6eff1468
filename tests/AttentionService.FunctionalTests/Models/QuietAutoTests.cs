using System.Net;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;
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
    private readonly ModelRepository _repository = new ModelRepository().WriteModel("decoder", ShrunkDot());

    /// <summary>
    /// softmax(Shrink(q vᵀ)) v: Shrink with lambd 0 passes every score through, and is an op the managed backend has no
    /// kernel for (ONNX Runtime has), so the managed backend refuses the graph at load.
    /// </summary>
    private static ModelProto ShrunkDot()
    {
        var g = new GraphBuilder("decoder");
        g.Input("query", "batch", "tq", "d");
        g.Input("values", "batch", "tv", "d");
        var valuesT = g.Node("Transpose", ["values"], "values_t", GraphBuilder.Attribute("perm", 0L, 2L, 1L));
        var scores = g.Node("MatMul", ["query", valuesT], "scores");
        var shrunk = g.Node("Shrink", [scores], "shrunk", GraphBuilder.Attribute("lambd", 0f));
        g.Node("Softmax", [shrunk], "weights", GraphBuilder.Attribute("axis", -1L));
        g.Node("MatMul", ["weights", "values"], "context");
        g.Output("context", "batch", "tq", "d");
        g.Output("weights", "batch", "tq", "tv");
        return g.ToModel(17, "dot attention through Shrink", []);
    }

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
            // 2 queries × 3 values: small enough that Auto routes it to the managed backend first.
            var response = await client.PostRawAsync("""{"model": "decoder", "query": [[1, 0], [0, 1]], "values": [[1, 0], [0, 1], [1, 1]]}""");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("onnx", (string?)(await response.ReadObjectAsync())["backend"]);
        }
        var metrics = await client.GetStringAsync("/metrics");

        var managed = model["backends"]!.AsArray().Single(b => (string?)b!["name"] == "managed")!;
        Assert.False((bool)managed["ready"]!);
        Assert.Contains("no managed kernel for op 'Shrink'", (string?)managed["reason"]);
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
