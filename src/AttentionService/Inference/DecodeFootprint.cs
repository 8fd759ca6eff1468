using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Registry;

namespace AttentionService.Inference;

/// <summary>
/// What a decode will hold, known before it runs, for the memory budget: the source tokens and mask, the encoder's run
/// (from the managed plan when it compiles the encoder, else the signature's conservative estimate), the batch's values
/// and state, one decoder step's outputs and intermediates (the signature's estimate: a step's tensors are small and
/// the same at every step), and every step's weights and context, twice (recorded, then cut per source).
/// </summary>
public static class DecodeFootprint
{
    /// <summary>Width assumed for a dimension the graphs leave dynamic and no plan resolves.</summary>
    private const int UnknownWidth = 1024;

    public static (long Bytes, string What) Estimate(RegisteredModel model, SourceBatch batch, long elementLimit)
    {
        var seq2seq = model.Seq2Seq!;
        long b = batch.Batch, s = batch.Length, steps = seq2seq.Config.MaxSteps;
        var inputs = new TensorView[1];
        inputs[seq2seq.Tokens] = batch.Tokens;
        var encoder = EncoderFootprint(model, seq2seq, inputs, elementLimit);
        var dv = Width(encoder, seq2seq.EncoderValues, seq2seq.Encoder.Outputs[seq2seq.EncoderValues].Shape[^1], b * s);
        var hidden = Width(encoder, seq2seq.EncoderState, seq2seq.Encoder.Outputs[seq2seq.EncoderState].Shape[^1], b);
        var vocabulary = seq2seq.Vocabulary.Target.Count;
        long sources = b * s * (sizeof(long) + sizeof(bool));
        long state = sizeof(float) * (b * s * dv + b * hidden) + sizeof(long) * b;
        long stepOutputs = sizeof(float) * b * (dv + s + hidden + vocabulary);
        long step = stepOutputs + SignatureFootprint.IntermediateFactor * (stepOutputs + state);
        long recorded = 2 * sizeof(float) * b * steps * (s + dv) + sizeof(int) * b * steps;
        var bytes = sources + encoder.Bytes + state + step + recorded;
        return (bytes, $"sources {sources}, encoder run {encoder.Bytes}{(encoder.Planned ? "" : " (estimated)")}, values and state {state}, " +
                       $"decoder step {step} (estimated), weights and context of {steps} steps {recorded}");
    }

    private static RunFootprint EncoderFootprint(RegisteredModel model, Seq2SeqModel seq2seq, ReadOnlySpan<TensorView> inputs, long elementLimit)
    {
        if (model.Slot(BackendKind.Managed)?.Encoder is IMemoryEstimator estimator)
        {
            try
            {
                return estimator.Estimate(inputs, elementLimit);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Shapes the plan cannot take: the run will say so; until then the conservative estimate.
            }
        }
        return SignatureFootprint.Estimate(seq2seq.Encoder, inputs);
    }

    /// <summary>The last axis of an encoder output: fixed in the graph, else from the footprint, else <see cref="UnknownWidth"/>.</summary>
    private static long Width(RunFootprint footprint, int output, long fixedWidth, long rows)
    {
        if (fixedWidth > 0) return fixedWidth;
        var size = footprint.Outputs[output];
        return size.Exact && size.Elements % rows == 0 ? size.Elements / rows : UnknownWidth;
    }
}
