using System.Runtime.CompilerServices;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// Log-softmax along one axis of a tensor viewed as <c>[outer, axis, inner]</c>: (x − max) − log Σ e^(x − max), the
/// maximum subtracted first (as <see cref="SoftmaxKernel"/>) so no exponential overflows and a row of large numbers
/// keeps its precision. Three passes per row (<see cref="AxisSoftmaxKernel{TOutput}"/>): maximum; sum of exponentials
/// (not stored); the two subtractions.
/// </summary>
public static class LogSoftmaxKernel
{
    /// <summary>Log-softmax of each contiguous row of <paramref name="rowLength"/> elements (the last axis).</summary>
    public static void Rows(ReadOnlySpan<float> x, Span<float> destination, int rowLength) =>
        AxisSoftmaxKernel<LogProbabilities>.Rows(x, destination, rowLength);

    /// <summary>Log-softmax along the middle axis of <c>[outer, axisLength, inner]</c> (inner &gt; 1: a non-last axis).</summary>
    public static void Strided(ReadOnlySpan<float> x, Span<float> destination, int outer, int axisLength, int inner) =>
        AxisSoftmaxKernel<LogProbabilities>.Strided(x, destination, outer, axisLength, inner);

    /// <summary>
    /// Subtracts the maximum, then log Σ: x − max is exact for the entries that matter, where x − (max + log Σ) would
    /// round max + log Σ to the ulp of max first (a thousandth at 10⁴).
    /// </summary>
    internal readonly struct LogProbabilities : ISoftmaxOutput
    {
        public static bool KeepsExponentials => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void FinishRow<TSimd, TVector>(ref float row, ref float result, int rowLength, float max, float sum)
            where TSimd : struct, ISimd<TVector> where TVector : struct
        {
            var width = TSimd.Count;
            var vectorLength = rowLength - rowLength % width;
            var logSum = MathF.Log(sum);
            TVector shift = TSimd.Broadcast(max), logSumVector = TSimd.Broadcast(logSum);
            var i = 0;
            for (; i < vectorLength; i += width)
                TSimd.Store(TSimd.Subtract(TSimd.Subtract(TSimd.Load(ref FloatRef.At(ref row, i)), shift), logSumVector), ref FloatRef.At(ref result, i));
            for (; i < rowLength; i++)
                FloatRef.At(ref result, i) = FloatRef.At(ref row, i) - max - logSum;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void FinishBlock<TSimd, TVector>(ref float input, ref float output, ref float max, ref float sum, int axisLength, int inner)
            where TSimd : struct, ISimd<TVector> where TVector : struct
        {
            var width = TSimd.Count;
            var vectorInner = inner - inner % width;
            for (var i = 0; i < inner; i++)
                FloatRef.At(ref sum, i) = MathF.Log(FloatRef.At(ref sum, i));
            for (var a = 0; a < axisLength; a++)
            {
                ref var row = ref FloatRef.At(ref input, a * inner);
                ref var result = ref FloatRef.At(ref output, a * inner);
                var i = 0;
                for (; i < vectorInner; i += width)
                {
                    var shifted = TSimd.Subtract(TSimd.Load(ref FloatRef.At(ref row, i)), TSimd.Load(ref FloatRef.At(ref max, i)));
                    TSimd.Store(TSimd.Subtract(shifted, TSimd.Load(ref FloatRef.At(ref sum, i))), ref FloatRef.At(ref result, i));
                }
                for (; i < inner; i++)
                    FloatRef.At(ref result, i) = FloatRef.At(ref row, i) - FloatRef.At(ref max, i) - FloatRef.At(ref sum, i);
            }
        }
    }
}
