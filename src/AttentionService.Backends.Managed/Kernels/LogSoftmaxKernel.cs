using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// Log-softmax along one axis of a tensor viewed as <c>[outer, axis, inner]</c>: (x − max) − log Σ e^(x − max), the
/// maximum subtracted first (as <see cref="SoftmaxKernel"/>) so no exponential overflows and a row of large numbers
/// keeps its precision. Three passes per row: maximum; sum of exponentials (not stored); the two subtractions.
/// </summary>
public static class LogSoftmaxKernel
{
    /// <summary>Log-softmax of each contiguous row of <paramref name="rowLength"/> elements (the last axis).</summary>
    public static void Rows(ReadOnlySpan<float> x, Span<float> destination, int rowLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowLength);
        if (x.Length != destination.Length)
            throw new ArgumentException($"destination has {destination.Length} elements, x has {x.Length}", nameof(destination));
        if (x.Length % rowLength != 0)
            throw new ArgumentException($"x has {x.Length} elements, not a whole number of rows of {rowLength}", nameof(x));
        VectorDispatch.Run(new RowsBody(x, destination, rowLength), x.Length, rowLength, computeBound: true);
    }

    internal readonly ref struct RowsBody(ReadOnlySpan<float> x, Span<float> destination, int rowLength) : IVectorBody
    {
        private readonly ReadOnlySpan<float> _x = x;
        private readonly Span<float> _destination = destination;

        public void Run<TSimd, TVector>() where TSimd : struct, ISimd<TVector> where TVector : struct =>
            Rows<TSimd, TVector>(_x, _destination, rowLength);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Rows<TSimd, TVector>(ReadOnlySpan<float> x, Span<float> destination, int rowLength)
        where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        ref var x0 = ref MemoryMarshal.GetReference(x);
        ref var d0 = ref MemoryMarshal.GetReference(destination);
        var width = TSimd.Count;
        var vectorLength = rowLength - rowLength % width;
        for (var offset = 0; offset < x.Length; offset += rowLength)
        {
            ref var row = ref FloatRef.At(ref x0, offset);
            ref var result = ref FloatRef.At(ref d0, offset);

            var maxVector = TSimd.Broadcast(float.NegativeInfinity);
            for (var i = 0; i < vectorLength; i += width)
                maxVector = TSimd.Max(maxVector, TSimd.Load(ref FloatRef.At(ref row, i)));
            var max = TSimd.MaxAcross(maxVector);
            for (var i = vectorLength; i < rowLength; i++)
                max = MathF.Max(max, FloatRef.At(ref row, i));

            // (x − max) − log Σ: x − max is exact for the entries that matter, where x − (max + log Σ) would round
            // max + log Σ to the ulp of max first (a thousandth at 10⁴).
            var logSum = MathF.Log(SumOfExponentials<TSimd, TVector>(ref row, rowLength, max));
            TVector shift = TSimd.Broadcast(max), logSumVector = TSimd.Broadcast(logSum);
            var j = 0;
            for (; j < vectorLength; j += width)
                TSimd.Store(TSimd.Subtract(TSimd.Subtract(TSimd.Load(ref FloatRef.At(ref row, j)), shift), logSumVector), ref FloatRef.At(ref result, j));
            for (; j < rowLength; j++)
                FloatRef.At(ref result, j) = FloatRef.At(ref row, j) - max - logSum;
        }
    }

    /// <summary>Σ e^(x − max) over a row; four independent chains side by side, as in <see cref="SoftmaxKernel"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float SumOfExponentials<TSimd, TVector>(ref float row, int rowLength, float max)
        where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        var width = TSimd.Count;
        var vectorLength = rowLength - rowLength % width;
        var shift = TSimd.Broadcast(max);
        TVector sum0 = TSimd.Zero, sum1 = TSimd.Zero, sum2 = TSimd.Zero, sum3 = TSimd.Zero;
        var i = 0;
        for (; i + 4 * width <= vectorLength; i += 4 * width)
        {
            sum0 = TSimd.Add(sum0, TSimd.Exp(TSimd.Subtract(TSimd.Load(ref FloatRef.At(ref row, i)), shift)));
            sum1 = TSimd.Add(sum1, TSimd.Exp(TSimd.Subtract(TSimd.Load(ref FloatRef.At(ref row, i + width)), shift)));
            sum2 = TSimd.Add(sum2, TSimd.Exp(TSimd.Subtract(TSimd.Load(ref FloatRef.At(ref row, i + 2 * width)), shift)));
            sum3 = TSimd.Add(sum3, TSimd.Exp(TSimd.Subtract(TSimd.Load(ref FloatRef.At(ref row, i + 3 * width)), shift)));
        }
        for (; i < vectorLength; i += width)
            sum0 = TSimd.Add(sum0, TSimd.Exp(TSimd.Subtract(TSimd.Load(ref FloatRef.At(ref row, i)), shift)));
        var sum = TSimd.Sum(TSimd.Add(TSimd.Add(sum0, sum1), TSimd.Add(sum2, sum3)));
        for (; i < rowLength; i++)
            sum += SimdScalar.Exp(FloatRef.At(ref row, i) - max);
        return sum;
    }

    /// <summary>
    /// Log-softmax along the middle axis of <c>[outer, axisLength, inner]</c> (inner &gt; 1: a non-last axis), across
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
        VectorDispatch.Run(new StridedBody(x, destination, outer, axisLength, inner), x.Length, inner, computeBound: true);
    }

    internal readonly ref struct StridedBody(ReadOnlySpan<float> x, Span<float> destination, int outer, int axisLength, int inner) : IVectorBody
    {
        private readonly ReadOnlySpan<float> _x = x;
        private readonly Span<float> _destination = destination;

        public void Run<TSimd, TVector>() where TSimd : struct, ISimd<TVector> where TVector : struct =>
            Strided<TSimd, TVector>(_x, _destination, outer, axisLength, inner);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Strided<TSimd, TVector>(ReadOnlySpan<float> x, Span<float> destination, int outer, int axisLength, int inner)
        where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        // Per inner position: the running maximum, and the sum of exponentials, then its logarithm. Small rows live on the stack.
        float[]? rented = null;
        var scratch = inner <= 256 ? stackalloc float[2 * inner] : (rented = ArrayPool<float>.Shared.Rent(2 * inner)).AsSpan(0, 2 * inner);
        var maxSpan = scratch[..inner];
        var sumSpan = scratch.Slice(inner, inner);
        ref var max = ref MemoryMarshal.GetReference(maxSpan);
        ref var sum = ref MemoryMarshal.GetReference(sumSpan);
        ref var x0 = ref MemoryMarshal.GetReference(x);
        ref var d0 = ref MemoryMarshal.GetReference(destination);
        var width = TSimd.Count;
        var vectorInner = inner - inner % width;
        var block = axisLength * inner;
        for (var o = 0; o < outer; o++)
        {
            ref var input = ref FloatRef.At(ref x0, o * block);
            ref var output = ref FloatRef.At(ref d0, o * block);
            maxSpan.Fill(float.NegativeInfinity);
            sumSpan.Clear();
            for (var a = 0; a < axisLength; a++)
            {
                ref var row = ref FloatRef.At(ref input, a * inner);
                var i = 0;
                for (; i < vectorInner; i += width)
                    TSimd.Store(TSimd.Max(TSimd.Load(ref FloatRef.At(ref max, i)), TSimd.Load(ref FloatRef.At(ref row, i))), ref FloatRef.At(ref max, i));
                for (; i < inner; i++)
                    FloatRef.At(ref max, i) = MathF.Max(FloatRef.At(ref max, i), FloatRef.At(ref row, i));
            }
            for (var a = 0; a < axisLength; a++)
            {
                ref var row = ref FloatRef.At(ref input, a * inner);
                var i = 0;
                for (; i < vectorInner; i += width)
                {
                    var e = TSimd.Exp(TSimd.Subtract(TSimd.Load(ref FloatRef.At(ref row, i)), TSimd.Load(ref FloatRef.At(ref max, i))));
                    TSimd.Store(TSimd.Add(TSimd.Load(ref FloatRef.At(ref sum, i)), e), ref FloatRef.At(ref sum, i));
                }
                for (; i < inner; i++)
                    FloatRef.At(ref sum, i) += SimdScalar.Exp(FloatRef.At(ref row, i) - FloatRef.At(ref max, i));
            }
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
        if (rented is not null) ArrayPool<float>.Shared.Return(rented);
    }
}
