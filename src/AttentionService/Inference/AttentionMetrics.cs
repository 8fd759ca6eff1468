using System.Diagnostics;
using System.Diagnostics.Metrics;
using AttentionService.Core.Backends;
using AttentionService.Registry;

namespace AttentionService.Inference;

/// <summary>The service's own instruments (System.Diagnostics.Metrics), labelled by model and backend.</summary>
public sealed class AttentionMetrics
{
    public const string MeterName = "AttentionService";

    private readonly Counter<long> _inferences;
    private readonly Counter<long> _fallbacks;
    private readonly Histogram<double> _inferenceSeconds;
    private readonly Counter<long> _rejected;

    public AttentionMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _inferences = meter.CreateCounter<long>("attention_inferences", description: "Inferences answered, by model and backend");
        _fallbacks = meter.CreateCounter<long>("attention_fallbacks", description: "Times a backend could not serve and the next one did, by model and from/to backend");
        _rejected = meter.CreateCounter<long>("attention_rejected_requests", description: "Requests refused with 503 because every inference slot and the queue were full");
        _inferenceSeconds = meter.CreateHistogram<double>("attention_inference_duration", unit: "s", description: "Time spent in a backend's Run");
    }

    public void Inference(string model, BackendKind backend, TimeSpan elapsed)
    {
        var tags = new TagList { { "model", model }, { "backend", backend.ToWireName() } };
        _inferences.Add(1, tags);
        _inferenceSeconds.Record(elapsed.TotalSeconds, tags);
    }

    public void Rejected() => _rejected.Add(1);

    public void Fallback(string model, BackendKind from, BackendKind to) =>
        _fallbacks.Add(1, new TagList { { "model", model }, { "from", from.ToWireName() }, { "to", to.ToWireName() } });
}
