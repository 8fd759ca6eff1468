using System.Buffers;
using System.Numerics.Tensors;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// Softmax along one axis of a tensor viewed as <c>[outer, axis, inner]</c>. Numerically stable: the maximum along the
/// axis is subtracted before exponentiating, so a -inf entry becomes exp(-inf) = 0 exactly while the others stay finite.
/// </summary>
public static class SoftmaxKernel
{
    /// <summary>Softmax of each contiguous row of <paramref name="rowLength"/> elements (the last axis).</summary>
    public static void Rows(ReadOnlySpan<float> x, Span<float> destination, int rowLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowLength);
        if (x.Length != destination.Length)
            throw new ArgumentException($"destination has {destination.Length} elements, x has {x.Length}", nameof(destination));
        if (x.Length % rowLength != 0)
            throw new ArgumentException($"x has {x.Length} elements, not a whole number of rows of {rowLength}", nameof(x));
        for (var offset = 0; offset < x.Length; offset += rowLength)
        {
            var row = x.Slice(offset, rowLength);
            var result = destination.Slice(offset, rowLength);
            var max = TensorPrimitives.Max(row);
            TensorPrimitives.Subtract(row, max, result);
            TensorPrimitives.Exp(result, result);
            TensorPrimitives.Divide(result, TensorPrimitives.Sum(result), result);
        }
    }

    /// <summary>
    /// Softmax along the middle axis of <c>[outer, axisLength, inner]</c> (inner &gt; 1: a non-last axis). Works across
    /// whole inner rows at a time so every step is a contiguous vector operation.
    /// </summary>
    public static void Strided(ReadOnlySpan<float> x, Span<float> destination, int outer, int axisLength, int inner)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(outer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(axisLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inner);
        var expected = (long)outer * axisLength * inner;
        if (x.Length != expected)
            throw new ArgumentException($"x has {x.Length} elements, [{outer}, {axisLength}, {inner}] needs {expected}", nameof(x));
        if (destination.Length != x.Length)
            throw new ArgumentException($"destination has {destination.Length} elements, x has {x.Length}", nameof(destination));

        float[]? rented = null;
        var scratch = inner <= 256 ? stackalloc float[2 * inner] : (rented = ArrayPool<float>.Shared.Rent(2 * inner)).AsSpan(0, 2 * inner);
        var max = scratch[..inner];
        var sum = scratch[inner..];
        var block = axisLength * inner;
        for (var o = 0; o < outer; o++)
        {
            var input = x.Slice(o * block, block);
            var output = destination.Slice(o * block, block);
            input[..inner].CopyTo(max);
            for (var a = 1; a < axisLength; a++)
                TensorPrimitives.Max(max, input.Slice(a * inner, inner), max);
            sum.Clear();
            for (var a = 0; a < axisLength; a++)
            {
                var row = output.Slice(a * inner, inner);
                TensorPrimitives.Subtract(input.Slice(a * inner, inner), max, row);
                TensorPrimitives.Exp(row, row);
                TensorPrimitives.Add(sum, row, sum);
            }
            for (var a = 0; a < axisLength; a++)
            {
                var row = output.Slice(a * inner, inner);
                TensorPrimitives.Divide(row, sum, row);
            }
        }
        if (rented is not null) ArrayPool<float>.Shared.Return(rented);
    }
}
