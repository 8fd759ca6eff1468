using System.Runtime.CompilerServices;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// Softmax along one axis of a tensor viewed as <c>[outer, axis, inner]</c>: e^(x − max) / Σ e^(x − max). Three passes
/// per row (<see cref="AxisSoftmaxKernel{TOutput}"/>): maximum; exponentials stored and summed; scaling by 1 / sum.
/// </summary>
public static class SoftmaxKernel
{
    /// <summary>Softmax of each contiguous row of <paramref name="rowLength"/> elements (the last axis).</summary>
    public static void Rows(ReadOnlySpan<float> x, Span<float> destination, int rowLength) =>
        AxisSoftmaxKernel<Probabilities>.Rows(x, destination, rowLength);

    /// <summary>Softmax along the middle axis of <c>[outer, axisLength, inner]</c> (inner &gt; 1: a non-last axis).</summary>
    public static void Strided(ReadOnlySpan<float> x, Span<float> destination, int outer, int axisLength, int inner) =>
        AxisSoftmaxKernel<Probabilities>.Strided(x, destination, outer, axisLength, inner);

    /// <summary>Passes two and three of a row whose maximum is <paramref name="max"/>; <paramref name="row"/> and <paramref name="result"/> may be the same.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ExponentiateAndNormalize<TSimd, TVector>(ref float row, ref float result, int rowLength, float max)
        where TSimd : struct, ISimd<TVector> where TVector : struct =>
        AxisSoftmaxKernel<Probabilities>.Finish<TSimd, TVector>(ref row, ref result, rowLength, max);

    /// <summary>Scales the stored exponentials by 1 / sum.</summary>
    internal readonly struct Probabilities : ISoftmaxOutput
    {
        public static bool KeepsExponentials => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void FinishRow<TSimd, TVector>(ref float row, ref float result, int rowLength, float max, float sum)
            where TSimd : struct, ISimd<TVector> where TVector : struct
        {
            var width = TSimd.Count;
            var vectorLength = rowLength - rowLength % width;
            var inverse = 1f / sum;
            var scale = TSimd.Broadcast(inverse);
            var i = 0;
            for (; i < vectorLength; i += width)
                TSimd.Store(TSimd.Multiply(TSimd.Load(ref FloatRef.At(ref result, i)), scale), ref FloatRef.At(ref result, i));
            for (; i < rowLength; i++)
                FloatRef.At(ref result, i) *= inverse;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void FinishBlock<TSimd, TVector>(ref float input, ref float output, ref float max, ref float sum, int axisLength, int inner)
            where TSimd : struct, ISimd<TVector> where TVector : struct
        {
            var width = TSimd.Count;
            var vectorInner = inner - inner % width;
            for (var a = 0; a < axisLength; a++)
            {
                ref var result = ref FloatRef.At(ref output, a * inner);
                var i = 0;
                for (; i < vectorInner; i += width)
                    TSimd.Store(TSimd.Divide(TSimd.Load(ref FloatRef.At(ref result, i)), TSimd.Load(ref FloatRef.At(ref sum, i))), ref FloatRef.At(ref result, i));
                for (; i < inner; i++)
                    FloatRef.At(ref result, i) /= FloatRef.At(ref sum, i);
            }
        }
    }
}
