using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Tests.ModelBuilder;
using AttentionService.Tests.Reference;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.OnnxRuntime;

/// <summary>
/// An <see cref="AttentionCase"/> as the backend sees it: pooled input tensors in signature order (query, keys, values,
/// mask), and outputs (context, weights) checked against <see cref="ReferenceAttention"/>.
/// </summary>
internal static class AttentionCaseTensors
{
    /// <summary>Fresh pooled input tensors holding the case's numbers; the caller disposes them.</summary>
    public static Tensor<float>[] RentInputs(this AttentionCase c) =>
    [
        Rent(AttentionCase.Flatten(c.Query), c.Batch, c.Tq, c.D),
        Rent(AttentionCase.Flatten(c.Keys), c.Batch, c.Tv, c.D),
        Rent(AttentionCase.Flatten(c.Values), c.Batch, c.Tv, c.Dv),
        Rent(c.MaskTensor(), c.Batch, c.Tq, c.Tv),
    ];

    /// <summary>
    /// Checks outputs (context, weights) against the unscaled dot-product reference within <paramref name="tolerance"/>;
    /// returns the largest absolute error seen.
    /// </summary>
    public static double AssertMatchesReference(this AttentionCase c, RentedOutputs outputs, double tolerance)
    {
        Assert.Equal(2, outputs.Count);
        var (context, weights) = (outputs.Float(0), outputs.Float(1));
        Assert.Equal([c.Batch, c.Tq, c.Dv], context.Shape);
        Assert.Equal([c.Batch, c.Tq, c.Tv], weights.Shape);
        var maxError = 0.0;
        for (var b = 0; b < c.Batch; b++)
        {
            var (expectedContext, expectedWeights) = ReferenceAttention.DotProduct(c.Query[b], c.Keys[b], c.Values[b], mask: c.Mask[b]);
            maxError = Math.Max(maxError, Numerics.AssertClose(Flat(expectedContext), context.Span.Slice(b * c.Tq * c.Dv, c.Tq * c.Dv), tolerance, $"context[{b}]"));
            maxError = Math.Max(maxError, Numerics.AssertClose(Flat(expectedWeights), weights.Span.Slice(b * c.Tq * c.Tv, c.Tq * c.Tv), tolerance, $"weights[{b}]"));
        }
        return maxError;
    }

    private static double[] Flat(double[][] rows) => rows.SelectMany(row => row).ToArray();

    private static Tensor<float> Rent(float[] data, params int[] shape)
    {
        // Rented, so the buffer is usually longer than the tensor: the backend must honour Length, not Buffer.Length.
        var tensor = Tensor.Rent<float>(shape);
        data.CopyTo(tensor.Span);
        return tensor;
    }
}
