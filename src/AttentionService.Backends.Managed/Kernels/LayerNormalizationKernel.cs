using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// Layer normalization of each contiguous row: y = (x − mean) / √(variance + ε) · scale + bias, with the row's mean
/// and 1/√(variance + ε) also written (one per row). Three passes per row: the sum (relative to the row's first element); the sum of squared deviations
/// (two passes rather than E[x²] − mean², which cancels catastrophically when the mean is large against the spread);
/// then the normalized, scaled, shifted row in one multiply-add chain.
/// </summary>
public static class LayerNormalizationKernel
{
    /// <param name="bias">The per-column shift, or empty for none.</param>
    public static void Normalize(ReadOnlySpan<float> x, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, float epsilon,
        Span<float> destination, Span<float> mean, Span<float> inverseStandardDeviation)
    {
        var rowLength = scale.Length;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowLength, nameof(scale));
        if (!bias.IsEmpty && bias.Length != rowLength)
            throw new ArgumentException($"bias has {bias.Length} elements, scale has {rowLength}", nameof(bias));
        if (x.Length % rowLength != 0)
            throw new ArgumentException($"x has {x.Length} elements, not a whole number of rows of {rowLength}", nameof(x));
        if (destination.Length != x.Length)
            throw new ArgumentException($"destination has {destination.Length} elements, x has {x.Length}", nameof(destination));
        var rows = x.Length / rowLength;
        if (mean.Length != rows || inverseStandardDeviation.Length != rows)
            throw new ArgumentException($"mean and inverseStandardDeviation need {rows} elements (one per row), they have {mean.Length} and {inverseStandardDeviation.Length}");
        VectorDispatch.Run(new NormalizeBody(x, scale, bias, epsilon, destination, mean, inverseStandardDeviation), x.Length, rowLength, computeBound: false);
    }

    internal readonly ref struct NormalizeBody(ReadOnlySpan<float> x, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, float epsilon,
        Span<float> destination, Span<float> mean, Span<float> inverseStandardDeviation) : IVectorBody
    {
        private readonly ReadOnlySpan<float> _x = x;
        private readonly ReadOnlySpan<float> _scale = scale;
        private readonly ReadOnlySpan<float> _bias = bias;
        private readonly Span<float> _destination = destination;
        private readonly Span<float> _mean = mean;
        private readonly Span<float> _inverseStandardDeviation = inverseStandardDeviation;

        public void Run<TSimd, TVector>() where TSimd : struct, ISimd<TVector> where TVector : struct =>
            Normalize<TSimd, TVector>(_x, _scale, _bias, epsilon, _destination, _mean, _inverseStandardDeviation);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Normalize<TSimd, TVector>(ReadOnlySpan<float> x, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, float epsilon,
        Span<float> destination, Span<float> mean, Span<float> inverseStandardDeviation)
        where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        var rowLength = scale.Length;
        var hasBias = !bias.IsEmpty;
        ref var x0 = ref MemoryMarshal.GetReference(x);
        ref var d0 = ref MemoryMarshal.GetReference(destination);
        ref var s0 = ref MemoryMarshal.GetReference(scale);
        ref var b0 = ref MemoryMarshal.GetReference(bias);
        var width = TSimd.Count;
        var vectorLength = rowLength - rowLength % width;
        for (int r = 0, offset = 0; offset < x.Length; r++, offset += rowLength)
        {
            ref var row = ref FloatRef.At(ref x0, offset);
            ref var result = ref FloatRef.At(ref d0, offset);

            // Summed relative to the row's first element: a row far from zero (activations near 100 with a spread of 1)
            // keeps its digits, where the plain sum would grow to rowLength·100 and round away a mean's last places.
            var origin = row;
            var originVector = TSimd.Broadcast(origin);
            var sumVector = TSimd.Zero;
            var i = 0;
            for (; i < vectorLength; i += width)
                sumVector = TSimd.Add(sumVector, TSimd.Subtract(TSimd.Load(ref FloatRef.At(ref row, i)), originVector));
            var sum = TSimd.Sum(sumVector);
            for (; i < rowLength; i++)
                sum += FloatRef.At(ref row, i) - origin;
            var average = origin + sum / rowLength;

            var center = TSimd.Broadcast(average);
            var squaresVector = TSimd.Zero;
            for (i = 0; i < vectorLength; i += width)
            {
                var deviation = TSimd.Subtract(TSimd.Load(ref FloatRef.At(ref row, i)), center);
                squaresVector = TSimd.MultiplyAdd(deviation, deviation, squaresVector);
            }
            var squares = TSimd.Sum(squaresVector);
            for (; i < rowLength; i++)
            {
                var deviation = FloatRef.At(ref row, i) - average;
                squares += deviation * deviation;
            }
            var inverse = 1f / MathF.Sqrt(squares / rowLength + epsilon);
            mean[r] = average;
            inverseStandardDeviation[r] = inverse;

            var factor = TSimd.Broadcast(inverse);
            for (i = 0; i < vectorLength; i += width)
            {
                var normalized = TSimd.Multiply(TSimd.Subtract(TSimd.Load(ref FloatRef.At(ref row, i)), center), factor);
                var shift = hasBias ? TSimd.Load(ref FloatRef.At(ref b0, i)) : TSimd.Zero;
                TSimd.Store(TSimd.MultiplyAdd(normalized, TSimd.Load(ref FloatRef.At(ref s0, i)), shift), ref FloatRef.At(ref result, i));
            }
            for (; i < rowLength; i++)
                FloatRef.At(ref result, i) = (FloatRef.At(ref row, i) - average) * inverse * FloatRef.At(ref s0, i) + (hasBias ? FloatRef.At(ref b0, i) : 0f);
        }
    }
}
