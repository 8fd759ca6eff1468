using System.Diagnostics;
using AttentionService.Configuration;
using AttentionService.Contracts;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Registry;
using Microsoft.Extensions.Options;

namespace AttentionService.Inference;

/// <summary>The answer of a run: outputs (owned by the caller) from the backend that produced them, or an error.</summary>
public readonly record struct InferenceOutcome(RentedOutputs? Outputs, BackendKind Backend, InferenceError? Error);

/// <summary>
/// Runs a model on the backend a request asks for, or under the configured policy: with <c>Auto</c>, ONNX Runtime
/// first and the managed backend when ONNX Runtime is not loaded or fails a run (small requests the other way round).
/// A backend that could not load is skipped quietly (the load already said why, once); a run that fails and falls
/// back is logged and counted. Outputs are rented as the backend sizes them and reused by the next backend on the route. Every run holds a slot of the <see cref="InferenceGate"/>.
/// </summary>
public sealed class InferenceRunner(IOptions<AttentionOptions> options, InferenceGate gate, AttentionMetrics metrics, ILogger<InferenceRunner> logger)
{
    /// <summary>Waits for a slot of the gate (or is refused one), then runs.</summary>
    public async ValueTask<InferenceOutcome> RunAsync(RegisteredModel model, BackendKind? requested, AttentionInputs inputs, CancellationToken cancellationToken)
    {
        using var lease = await gate.EnterAsync(cancellationToken);
        if (!lease.IsAcquired)
        {
            metrics.Rejected();
            return new InferenceOutcome(null, default, InferenceError.Overloaded(
                $"{gate.Permits} inferences are running and {gate.QueueLength} waiting (Attention:Concurrency); retry after the Retry-After delay"));
        }
        return Run(model, requested, inputs, cancellationToken);
    }

    private InferenceOutcome Run(RegisteredModel model, BackendKind? requested, AttentionInputs inputs, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var route = requested is { } only ? [only] : RegisteredModel.Route(settings.Backend, inputs.Scores <= settings.AutoManagedMaxScores);
        var outputs = new RentedOutputs(model.Signature!.Outputs.Count);
        List<string>? reasons = null;
        try
        {
            for (var i = 0; i < route.Count; i++)
            {
                var kind = route[i];
                var slot = model.Slot(kind);
                if (slot?.Backend is not { } backend)
                {
                    (reasons ??= []).Add($"{kind.ToWireName()}: {slot?.UnavailableReason ?? "not configured"}");
                    continue;
                }
                var started = Stopwatch.GetTimestamp();
                try
                {
                    backend.Run(inputs.Ordered, outputs, cancellationToken);
                    metrics.Inference(model.Name, kind, Stopwatch.GetElapsedTime(started));
                    return new InferenceOutcome(outputs, kind, null);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (OutOfMemoryException)
                {
                    // Neither the backend's fault nor the client's: the process is short of memory now, as the next
                    // backend would be; the client may retry.
                    outputs.Dispose();
                    logger.LogWarning("Model {Model} ran out of memory on {Backend}; answered 503", model.Name, kind.ToWireName());
                    return new InferenceOutcome(null, default, InferenceError.Overloaded(ShortOfMemory));
                }
                catch (Exception e)
                {
                    // Inputs were validated against the signature before this point, so a failed run is the backend's
                    // fault, not the client's: try the next backend on the route.
                    logger.LogError(e, "Model {Model} failed a run on {Backend}", model.Name, kind.ToWireName());
                    (reasons ??= []).Add($"{kind.ToWireName()}: run failed: {e.Message}");
                    if (NextReady(model, route, i) is { } next) LogFallback(model.Name, kind, next, $"run failed: {e.Message}");
                }
            }
        }
        catch
        {
            outputs.Dispose();
            throw;
        }
        outputs.Dispose();
        var what = requested is { } chosen ? $"backend '{chosen.ToWireName()}' cannot serve it" : "no backend could serve the request";
        return new InferenceOutcome(null, default,
            InferenceError.Unavailable($"model '{model.Name}': {what} ({string.Join("; ", reasons ?? [])})"));
    }

    /// <summary>What a client is told when the process could not allocate for its request.</summary>
    public const string ShortOfMemory = "the service is short of memory for this request now; retry after the Retry-After delay";

    /// <summary>The next backend on the route after <paramref name="index"/> that is loaded, if any.</summary>
    private static BackendKind? NextReady(RegisteredModel model, IReadOnlyList<BackendKind> route, int index)
    {
        for (var j = index + 1; j < route.Count; j++)
            if (model.Slot(route[j])?.IsReady == true) return route[j];
        return null;
    }

    private void LogFallback(string model, BackendKind from, BackendKind to, string reason)
    {
        metrics.Fallback(model, from, to);
        logger.LogWarning("Fallback for model {Model} from {FromBackend} to {ToBackend}: {Reason}",
            model, from.ToWireName(), to.ToWireName(), reason);
    }
}
