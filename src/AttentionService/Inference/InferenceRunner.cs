using System.Diagnostics;
using AttentionService.Configuration;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Registry;
using Microsoft.Extensions.Options;

namespace AttentionService.Inference;

/// <summary>The answer of a run: outputs from the backend that produced them, or an error.</summary>
public readonly record struct InferenceOutcome(Tensor[]? Outputs, BackendKind Backend, InferenceError? Error);

/// <summary>
/// Runs a model on the backend a request asks for, or under the configured policy: with <c>Auto</c>, ONNX Runtime
/// first and the managed backend whenever ONNX Runtime is not loaded or fails a run (small requests the other way
/// round); each fallback is logged and counted. Every run holds a slot of the <see cref="InferenceGate"/>.
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
        List<string>? reasons = null;
        for (var i = 0; i < route.Count; i++)
        {
            var kind = route[i];
            var slot = model.Slot(kind);
            if (slot?.Backend is not { } backend)
            {
                var reason = slot?.UnavailableReason ?? "not configured";
                (reasons ??= []).Add($"{kind.ToWireName()}: {reason}");
                if (i + 1 < route.Count) LogFallback(model.Name, kind, route[i + 1], reason);
                continue;
            }
            var started = Stopwatch.GetTimestamp();
            try
            {
                var outputs = RunInto(model, backend, inputs.Ordered, cancellationToken);
                metrics.Inference(model.Name, kind, Stopwatch.GetElapsedTime(started));
                return new InferenceOutcome(outputs, kind, null);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                // Inputs were validated against the signature before this point, so a failed run is the backend's
                // fault, not the client's: try the next backend on the route.
                logger.LogError(e, "Model {Model} failed a run on {Backend}", model.Name, kind.ToWireName());
                (reasons ??= []).Add($"{kind.ToWireName()}: run failed: {e.Message}");
                if (i + 1 < route.Count) LogFallback(model.Name, kind, route[i + 1], $"run failed: {e.Message}");
            }
        }
        var what = requested is { } chosen ? $"backend '{chosen.ToWireName()}' cannot serve it" : "no backend could serve the request";
        return new InferenceOutcome(null, default,
            InferenceError.Unavailable($"model '{model.Name}': {what} ({string.Join("; ", reasons ?? [])})"));
    }

    /// <summary>
    /// Runs into outputs rented here when the signature gives their shapes up front (every bundled model), so the
    /// backend writes its results in place from its reused workspace; otherwise the backend allocates them.
    /// </summary>
    private static Tensor[] RunInto(RegisteredModel model, IModelBackend backend, IReadOnlyList<Tensor> inputs, CancellationToken cancellationToken)
    {
        if (!model.Signature!.TryResolveOutputShapes(inputs, out var shapes))
            return backend.Run(inputs, cancellationToken);
        var outputs = new Tensor[shapes.Length];
        for (var o = 0; o < outputs.Length; o++) outputs[o] = Tensor.Rent(shapes[o]);
        try
        {
            backend.Run(inputs, outputs, cancellationToken);
            return outputs;
        }
        catch
        {
            foreach (var output in outputs) output.Dispose();
            throw;
        }
    }

    private void LogFallback(string model, BackendKind from, BackendKind to, string reason)
    {
        metrics.Fallback(model, from, to);
        logger.LogWarning("Fallback for model {Model} from {FromBackend} to {ToBackend}: {Reason}",
            model, from.ToWireName(), to.ToWireName(), reason);
    }
}
