using AttentionService.Core.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace AttentionService.Inference;

/// <summary>Per-head weights <c>[batch, heads, …]</c> averaged over the heads axis into <c>[batch, …]</c>.</summary>
public static class HeadAverage
{
    /// <summary>A pooled tensor of <paramref name="weights"/> averaged over axis 1; the caller owns it.</summary>
    public static Tensor<float> Of(TensorView<float> weights)
    {
        var shape = weights.Shape;
        var averaged = Tensor.Rent<float>([shape[0], .. shape[2..]]);
        Average(weights.Span, shape[0], shape[1], averaged.Span);
        return averaged;
    }

    /// <summary>
    /// Writes the mean over heads of <paramref name="perHead"/> (<c>[outer, heads, inner]</c>) into
    /// <paramref name="destination"/> (<c>[outer, inner]</c>); allocates nothing. The heads are summed in order, then
    /// divided by their count.
    /// </summary>
    public static void Average(ReadOnlySpan<float> perHead, int outer, int heads, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(heads, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(outer);
        var inner = outer == 0 ? 0 : destination.Length / outer;
        if (destination.Length != outer * inner || perHead.Length != outer * heads * inner)
            throw new ArgumentException($"{perHead.Length} per-head numbers do not average over {heads} heads into {destination.Length}");
        for (var o = 0; o < outer; o++)
        {
            var sum = destination.Slice(o * inner, inner);
            var first = o * heads * inner;
            perHead.Slice(first, inner).CopyTo(sum);
            for (var h = 1; h < heads; h++)
                TensorPrimitives.Add(sum, perHead.Slice(first + h * inner, inner), sum);
            TensorPrimitives.Divide(sum, heads, sum);
        }
    }
}
