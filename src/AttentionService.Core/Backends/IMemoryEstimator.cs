using AttentionService.Core.Tensors;

namespace AttentionService.Core.Backends;

/// <summary>A backend that can say, before a run, what the run will hold (the managed backend, from its plan).</summary>
public interface IMemoryEstimator
{
    /// <summary>
    /// The footprint of a run on <paramref name="inputs"/> (validated against the signature). Measuring stops at the
    /// first tensor of more than <paramref name="elementLimit"/> elements, so no size is ever allocated to find out.
    /// Throws <see cref="ArgumentException"/> when the inputs' shapes do not fit the graph (the run would too).
    /// </summary>
    RunFootprint Estimate(ReadOnlySpan<TensorView> inputs, long elementLimit);
}
