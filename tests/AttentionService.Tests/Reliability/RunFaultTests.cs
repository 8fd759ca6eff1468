using System.Diagnostics.Metrics;
using System.Net;
using AttentionService.Core.Backends;
using AttentionService.Inference;
using AttentionService.Tests.Reference;
using AttentionService.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AttentionService.Tests.Reliability;

/// <summary>ONNX Runtime failing every run under Auto: each request is answered by managed and counted as a fallback.</summary>
public sealed class RunFaultTests
{
    [Fact]
    public async Task EveryFailedOnnxRunIsAnsweredByManagedAndCountedOnce()
    {
        using var factory = new AttentionServiceFactory { ConfigureTestServices = services => services.InjectFault(BackendKind.Onnx, FaultInjection.Fault.RunsFail) };
        var client = factory.CreateClient();
        var meters = factory.Services.GetRequiredService<IMeterFactory>();
        var fallbacks = new List<(string? Model, string? From, string? To)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only this app's meter: other test classes run their own apps in parallel.
            if (instrument.Meter.Scope == meters && instrument.Meter.Name == AttentionMetrics.MeterName && instrument.Name == "attention_fallbacks") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? model = null, from = null, to = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "model") model = tag.Value?.ToString();
                if (tag.Key == "from") from = tag.Value?.ToString();
                if (tag.Key == "to") to = tag.Value?.ToString();
            }
            lock (fallbacks) fallbacks.AddRange(Enumerable.Repeat((model, from, to), (int)value));
        });
        listener.Start();
        var rng = new Random(23);

        for (var i = 0; i < 5; i++)
        {
            var response = await client.PostAttendAsync(new { query = ReferenceAttention.Random(rng, 2, 8), values = ReferenceAttention.Random(rng, 3, 8) });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("managed", (string?)(await response.ReadObjectAsync())["backend"]);
        }

        lock (fallbacks) Assert.Equal(Enumerable.Repeat(((string?)"luong-dot", (string?)"onnx", (string?)"managed"), 5), fallbacks);
    }
}
