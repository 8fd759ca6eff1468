using AttentionService.Contracts;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Registry;

namespace AttentionService.Inference;

/// <summary>
/// What a request's run will hold, known before it runs, and the per-tensor limits checked on it: every output within
/// <c>Attention:Limits:MaxElements</c>, every intermediate within <c>Attention:Limits:MaxIntermediateElements</c>.
/// The managed backend's plan gives the footprint of any model it can compile, whichever backend then runs it (both run
/// the same graph); a model it refuses gets <see cref="SignatureFootprint"/>'s conservative estimate.
/// </summary>
public static class RunFootprints
{
    public static (RunFootprint Footprint, InferenceError? Error) Measure(RegisteredModel model, AttentionInputs inputs, RequestLimits limits)
    {
        var footprint = Estimate(model, inputs.Ordered, Math.Max(limits.MaxElements, limits.MaxIntermediateElements));
        foreach (var output in footprint.Outputs)
            if (output.Exact && output.Elements > limits.MaxElements)
                return (footprint, InferenceError.TooLarge(
                    $"output '{output.Name}' would have {Count(output)} numbers, the limit is {limits.MaxElements} (Attention:Limits:MaxElements)"));
        if (footprint.LargestIntermediate is { } largest && largest.Elements > limits.MaxIntermediateElements)
            return (footprint, InferenceError.TooLarge(
                $"the run's intermediate value '{largest.Name}' would have {Count(largest)} numbers, the limit is {limits.MaxIntermediateElements} (Attention:Limits:MaxIntermediateElements)"));
        return (footprint, null);
    }

    /// <summary>Bytes of the tensors handed to the run: the request's role tensors, the mask built and the extra inputs parsed.</summary>
    public static long InputBytes(ReadOnlySpan<TensorView> inputs)
    {
        long bytes = 0;
        foreach (var input in inputs) bytes += (long)input.Length * TensorElementTypes.SizeOf(input.ElementType);
        return bytes;
    }

    private static RunFootprint Estimate(RegisteredModel model, ReadOnlySpan<TensorView> inputs, long elementLimit)
    {
        if (model.Slot(BackendKind.Managed)?.Backend is IMemoryEstimator estimator)
        {
            try
            {
                return estimator.Estimate(inputs, elementLimit);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Shapes the graph cannot take (an ArgumentException): the run says so in its own words, and until
                // then the estimate is the conservative one.
            }
        }
        return SignatureFootprint.Estimate(model.Signature!, inputs);
    }

    private static string Count(TensorSize size) => size.Elements == long.MaxValue ? "more than 2147483647" : size.Elements.ToString();
}
