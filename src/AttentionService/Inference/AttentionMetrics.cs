using System.Collections.Concurrent;
using AttentionService.Core.Backends;
using AttentionService.Registry;
using Prometheus;

namespace AttentionService.Inference;

/// <summary>
/// The service's own Prometheus series, labelled by model and backend, and the sizes and errors of the requests that run
/// a model, by model and endpoint, beside the HTTP ones (requests by status, latency histogram, in-flight) that
/// <c>HttpMetricsMiddleware</c> records; created on the host's own registry, so each host (in tests, each
/// WebApplicationFactory) counts only its own requests.
/// </summary>
public sealed class AttentionMetrics(IMetricFactory factory)
{
    private readonly Counter _inferences = factory.CreateCounter(
        "attention_inferences_total", "Inferences answered, by model and the backend that ran them.", ["model", "backend"]);

    private readonly Histogram _inferenceSeconds = factory.CreateHistogram(
        "attention_inference_duration_seconds", "Time spent in a backend's run.",
        new HistogramConfiguration { LabelNames = ["model", "backend"], Buckets = Histogram.ExponentialBuckets(0.00001, 2, 20) });

    private readonly Counter _fallbacks = factory.CreateCounter(
        "attention_fallbacks_total", "Times a backend could not serve and the next one on the route was tried.", ["model", "from", "to"]);

    private readonly Counter _rejectedRequests = factory.CreateCounter(
        "attention_rejected_requests_total", "Requests answered 503 because every inference slot and the queue were full.");

    private readonly Gauge _memoryBudget = factory.CreateGauge(
        "attention_memory_budget_bytes", "Bytes all requests may hold at once (Attention:Memory:BudgetBytes, or derived from the memory the runtime sees).");

    private readonly Gauge _memoryReserved = factory.CreateGauge(
        "attention_memory_reserved_bytes", "Bytes of the memory budget requests in flight hold now (bodies, inputs, intermediates, outputs, answers being written).");

    private readonly Counter _memoryTrims = factory.CreateCounter(
        "attention_memory_trims_total", "Times the service returned memory after large requests, once idle.");

    private static readonly double[] SizeBuckets = Histogram.ExponentialBuckets(128, 4, 11);

    private readonly Histogram _requestBytes = factory.CreateHistogram(
        "attention_request_size_bytes", "Body bytes of requests to an endpoint that runs a model, by model (\"(unknown)\" when none was resolved) and endpoint.",
        new HistogramConfiguration { LabelNames = ["model", "endpoint"], Buckets = SizeBuckets });

    private readonly Histogram _responseBytes = factory.CreateHistogram(
        "attention_response_size_bytes", "Body bytes of the answers (and errors) of an endpoint that runs a model, by model and endpoint.",
        new HistogramConfiguration { LabelNames = ["model", "endpoint"], Buckets = SizeBuckets });

    private readonly Counter _errors = factory.CreateCounter(
        "attention_request_errors_total", "Requests to an endpoint that runs a model answered 4xx or 5xx (or \"aborted\"), by model, endpoint and status.",
        ["model", "endpoint", "code"]);

    /// <summary>The series of each model and backend, looked up once: labelling a metric allocates.</summary>
    private readonly ConcurrentDictionary<(string Model, BackendKind Backend), (Counter.Child Count, Histogram.Child Seconds)> _series = new();

    public void Inference(string model, BackendKind backend, TimeSpan elapsed)
    {
        var (count, seconds) = _series.GetOrAdd((model, backend), static (key, metrics) =>
            (metrics._inferences.WithLabels(key.Model, key.Backend.ToWireName()), metrics._inferenceSeconds.WithLabels(key.Model, key.Backend.ToWireName())), this);
        count.Inc();
        seconds.Observe(elapsed.TotalSeconds);
    }

    /// <summary>One request to an endpoint that runs a model: its body and answer bytes, and its status when it failed.</summary>
    public void Traffic(string model, string endpoint, string code, long requestBytes, long responseBytes)
    {
        _requestBytes.WithLabels(model, endpoint).Observe(requestBytes);
        _responseBytes.WithLabels(model, endpoint).Observe(responseBytes);
        if (code[0] is not ('1' or '2' or '3')) _errors.WithLabels(model, endpoint, code).Inc();
    }

    public void Rejected() => _rejectedRequests.Inc();

    public void MemoryBudget(long bytes) => _memoryBudget.Set(bytes);

    public void MemoryReserved(long bytes) => _memoryReserved.Set(bytes);

    public void MemoryTrimmed() => _memoryTrims.Inc();

    public void Fallback(string model, BackendKind from, BackendKind to) =>
        _fallbacks.WithLabels(model, from.ToWireName(), to.ToWireName()).Inc();
}
