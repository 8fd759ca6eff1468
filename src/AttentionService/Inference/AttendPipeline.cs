using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using AttentionService.Configuration;
using AttentionService.Contracts;
using AttentionService.Contracts.OpenInference;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Registry;
using Microsoft.Extensions.Options;

namespace AttentionService.Inference;

/// <summary>
/// The domain steps of one /attend request, from a parsed request to an answer: find the model, choose the backend,
/// build the model's inputs as its binding says, run, check the result is finite, and present context and weights in
/// the request's rank, with any other outputs the request named. Every failure is an <see cref="InferenceError"/> value.
/// </summary>
public sealed class AttendPipeline(ModelRegistry registry, InferenceRunner runner, IOptions<AttentionOptions> options)
{
    /// <summary>Bytes counted for the answer being written: the writer's buffer and what the response pipe holds beyond it.</summary>
    private const long AnswerWriterBytes = 2L * Contracts.Json.AttendResponseWriter.FlushBytes;

    /// <summary>
    /// Runs <paramref name="request"/>, whose body <paramref name="reservation"/> already holds; the run's footprint is
    /// added to it before the run (waiting for room in the memory budget) and held until the caller disposes it.
    /// </summary>
    public ValueTask<AttendOutcome> RunAsync(AttendRequest request, MemoryReservation reservation, CancellationToken cancellationToken) =>
        LeasedAsync(request.Model ?? options.Value.DefaultModel, (name, model) => RunAsync(request, name, model, reservation, cancellationToken));

    /// <summary>
    /// Runs an Open Inference Protocol request on the same path: its inputs are bound to the model's roles and extra
    /// inputs (<see cref="OpenInferenceBinding"/>), then run as an /attend request; also returns the outputs planned.
    /// </summary>
    public async ValueTask<(AttendOutcome Outcome, PlannedOutput[]? Outputs)> RunAsync(string modelName, InferRequest request,
        MemoryReservation reservation, CancellationToken cancellationToken)
    {
        PlannedOutput[]? planned = null;
        var outcome = await LeasedAsync(modelName, async (name, model) =>
        {
            if (model.Binding is not { } binding)
                return AttendOutcome.Failed(InferenceError.Unavailable($"model '{name}' failed to load: {model.LoadError}"), name);
            var (attend, outputs, error) = OpenInferenceBinding.Bind(name, model.Signature!, binding, request);
            if (error is not null) return AttendOutcome.Failed(error, name);
            planned = outputs;
            // The request's tensors belong to the Open Inference request; disposing twice is harmless.
            using (attend) return await RunAsync(attend!, name, model, reservation, cancellationToken);
        });
        return (outcome, planned);
    }

    /// <summary>
    /// Leases the model for <paramref name="run"/>: the lease keeps this version of the model (its sessions) alive
    /// through a reload until the answer is written; an answer hands it to the outcome, every other way out releases it.
    /// </summary>
    private async ValueTask<AttendOutcome> LeasedAsync(string modelName, Func<string, RegisteredModel, ValueTask<AttendOutcome>> run)
    {
        if (!registry.TryLease(modelName, out var lease))
            return AttendOutcome.Failed(InferenceError.ModelNotFound($"model '{ClientText.Shorten(modelName)}' not found; models are {string.Join(", ", registry.Names)}"));
        AttendOutcome? outcome = null;
        try
        {
            outcome = await run(modelName, lease.Model);
            return outcome;
        }
        finally
        {
            if (outcome?.Response is not null) outcome.Hold(lease);
            else lease.Dispose();
        }
    }

    private async ValueTask<AttendOutcome> RunAsync(AttendRequest request, string modelName, RegisteredModel model, MemoryReservation reservation,
        CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (model.Binding is not { } binding)
            return AttendOutcome.Failed(InferenceError.Unavailable($"model '{modelName}' failed to load: {model.LoadError}"), modelName);
        var signature = model.Signature!;

        if (BackendNames.ParseRequested(request.Backend, out var backend) is { } backendError)
            return AttendOutcome.Failed(backendError, modelName);
        if (LayerOptions.CheckHeads(modelName, signature, binding, request.Heads) is { } headsError)
            return AttendOutcome.Failed(headsError, modelName);

        var (extraOutputs, outputError) = OutputSelection.Resolve(modelName, binding, request.Outputs);
        if (outputError is not null) return AttendOutcome.Failed(outputError, modelName);
        var (inputs, inputError) = AttentionInputs.Build(modelName, signature, binding, request, settings.Limits);
        if (inputError is not null) return AttendOutcome.Failed(TextFormHint.For(model, modelName, inputError), modelName);
        using (inputs)
        {
            if (LayerOptions.CheckTokens(request.Tokens, binding, inputs!, keysSent: request.Keys is not null) is { } tokensError)
                return AttendOutcome.Failed(tokensError, modelName);
            var include = request.Include;
            var average = request.Heads == AttentionHeads.Average && include.HasFlag(AnswerParts.Weights);
            // Averaged weights are batch × tq × tv numbers beside the per-head ones the run writes.
            var averageBytes = average ? sizeof(float) * inputs!.Scores : 0;
            var (footprint, tooLarge) = RunFootprints.Measure(model, inputs!, settings.Limits);
            if (tooLarge is not null) return AttendOutcome.Failed(tooLarge, modelName);
            // The parsed request tensors are held already; inputs built beyond them (a mask, extra inputs) are not.
            var held = reservation.Bytes;
            var inputBytes = Math.Max(0, RunFootprints.InputBytes(inputs!.Ordered) - held);
            var refused = await reservation.ReserveRunAsync(inputBytes + footprint.Bytes + averageBytes + AnswerWriterBytes,
                $"request tensors {held}, inputs built {inputBytes}, outputs {footprint.OutputBytes}, intermediates {footprint.IntermediateBytes}{(footprint.Planned ? "" : " (estimated)")}{(average ? $", heads averaged {averageBytes}" : "")}, answer writer {AnswerWriterBytes}",
                cancellationToken);
            if (refused is not null) return AttendOutcome.Failed(refused, modelName);
            var run = await runner.RunAsync(model, backend, inputs!, cancellationToken);
            if (run.Error is not null) return AttendOutcome.Failed(run.Error, modelName);
            var outputs = run.Outputs!;
            var context = Batched(outputs.Float(binding.Context), inputs!.Batched);
            var weights = Batched(outputs.Float(binding.Weights), inputs.Batched);
            // A part the request left out is neither checked nor written.
            if ((include.HasFlag(AnswerParts.Context) && !TensorPrimitives.IsFiniteAll<float>(context.Span))
                || (include.HasFlag(AnswerParts.Weights) && !TensorPrimitives.IsFiniteAll<float>(weights.Span)))
                return NotFinite(outputs, modelName, "the result is not finite: the scores overflow float32; scale the inputs down");
            Dictionary<string, TensorView>? named = null;
            for (var i = 0; i < extraOutputs!.Length; i++)
            {
                var output = outputs[extraOutputs[i]];
                if (output.ElementType == TensorElementType.Float32 && !TensorPrimitives.IsFiniteAll<float>(output.As<float>().Span))
                    return NotFinite(outputs, modelName, $"output '{request.Outputs![i]}' is not finite (NaN or infinity), which JSON cannot carry");
                (named ??= new(StringComparer.Ordinal))[request.Outputs![i]] = output;
            }
            var averaged = average ? HeadAverage.Of(outputs.Float(binding.Weights)) : null;
            if (averaged is not null) weights = Batched(averaged.View, inputs.Batched);
            var response = new AttendResponse
            {
                Model = modelName, Backend = run.Backend.ToWireName(), Tokens = request.Tokens,
                Context = include.HasFlag(AnswerParts.Context) ? context : null,
                Weights = include.HasFlag(AnswerParts.Weights) ? weights : null,
                Outputs = named,
            };
            return AttendOutcome.Answered(response, run.Backend, outputs, averaged);
        }
    }

    private static AttendOutcome NotFinite(RentedOutputs outputs, string modelName, string detail)
    {
        outputs.Dispose();
        return AttendOutcome.Failed(InferenceError.Unprocessable(detail), modelName);
    }

    /// <summary>A role output without its batch axis when the request had none (a view: the outputs own the buffers).</summary>
    private static TensorView<float> Batched(TensorView<float> tensor, bool batched) =>
        batched ? tensor : tensor.Reshape(tensor.Shape[1..]);
}
