using System.Diagnostics;
using AttentionService.Configuration;
using AttentionService.Contracts;
using AttentionService.Core.Backends;
using AttentionService.Registry;
using Microsoft.Extensions.Options;

namespace AttentionService.Inference;

/// <summary>The decodings of a batch (owned by the caller) from the backend that ran both graphs, or an error.</summary>
public readonly record struct DecodeOutcome(DecodedSource[]? Results, BackendKind Backend, InferenceError? Error);

/// <summary>
/// Decodes a <see cref="SourceBatch"/> on the backend a request asks for, or under the configured policy, as
/// <see cref="InferenceRunner"/> runs a tensor request: one slot of the <see cref="InferenceGate"/> for the whole
/// decode (encoder and every step), a backend that could not load skipped quietly, a backend that fails mid-decode
/// logged, counted and the decode started over on the next one (both graphs always run on one backend). Under Auto a
/// decoder step of at most <see cref="AttentionOptions.AutoManagedMaxScores"/> scores (batch × source length) starts on
/// the managed backend.
/// </summary>
public sealed class DecodeRunner(IOptions<AttentionOptions> options, InferenceGate gate, AttentionMetrics metrics, ILogger<DecodeRunner> logger)
{
    public async ValueTask<DecodeOutcome> RunAsync(RegisteredModel model, BackendKind? requested, SourceBatch batch, CancellationToken cancellationToken)
    {
        using var lease = await gate.EnterAsync(cancellationToken);
        if (!lease.IsAcquired)
        {
            metrics.Rejected();
            return new DecodeOutcome(null, default, InferenceError.Overloaded(
                $"{gate.Permits} inferences are running and {gate.QueueLength} waiting (Attention:Concurrency); retry after the Retry-After delay"));
        }
        return Run(model, requested, batch, cancellationToken);
    }

    private DecodeOutcome Run(RegisteredModel model, BackendKind? requested, SourceBatch batch, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var seq2seq = model.Seq2Seq!;
        var route = requested is { } only ? [only] : RegisteredModel.Route(settings.Backend, (long)batch.Batch * batch.Length <= settings.AutoManagedMaxScores);
        List<string>? reasons = null;
        for (var i = 0; i < route.Count; i++)
        {
            var kind = route[i];
            var slot = model.Slot(kind);
            if (slot is not { Backend: { } decoder, Encoder: { } encoder })
            {
                (reasons ??= []).Add($"{kind.ToWireName()}: {slot?.UnavailableReason ?? "not configured"}");
                continue;
            }
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var session = new DecodeSession(seq2seq, encoder, decoder, batch, cancellationToken);
                while (!session.Finished)
                    if (!session.Step(cancellationToken))
                        return new DecodeOutcome(null, kind, InferenceError.Unprocessable(
                            $"step {session.StepsRun + 1} of the decode gave context or weights that are not finite (NaN or infinity), which JSON cannot carry"));
                metrics.Inference(model.Name, kind, Stopwatch.GetElapsedTime(started));
                return new DecodeOutcome(session.Results(), kind, null);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (OutOfMemoryException)
            {
                logger.LogWarning("Model {Model} ran out of memory on {Backend}; answered 503", model.Name, kind.ToWireName());
                return new DecodeOutcome(null, default, InferenceError.Overloaded(InferenceRunner.ShortOfMemory));
            }
            catch (Exception e)
            {
                // The sources were checked against the model before, so a failed decode is the backend's (or the
                // graphs') fault, not the client's: try the next backend on the route.
                logger.LogError(e, "Model {Model} failed a decode on {Backend}", model.Name, kind.ToWireName());
                (reasons ??= []).Add($"{kind.ToWireName()}: decode failed: {e.Message}");
                if (NextReady(model, route, i) is { } next)
                {
                    metrics.Fallback(model.Name, kind, next);
                    logger.LogWarning("Fallback for model {Model} from {FromBackend} to {ToBackend}: {Reason}",
                        model.Name, kind.ToWireName(), next.ToWireName(), $"decode failed: {e.Message}");
                }
            }
        }
        var what = requested is { } chosen ? $"backend '{chosen.ToWireName()}' cannot serve it" : "no backend could serve the request";
        return new DecodeOutcome(null, default, InferenceError.Unavailable($"model '{model.Name}': {what} ({string.Join("; ", reasons ?? [])})"));
    }

    private static BackendKind? NextReady(RegisteredModel model, IReadOnlyList<BackendKind> route, int index)
    {
        for (var j = index + 1; j < route.Count; j++)
            if (model.Slot(route[j])?.IsReady == true) return route[j];
        return null;
    }
}
