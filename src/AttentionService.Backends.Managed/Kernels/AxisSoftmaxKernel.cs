using AttentionService.Core.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// What a softmax-family kernel writes once a row's maximum and Σ e^(x − max) are known: the last of its three passes.
/// A struct, so each output gets its own compiled kernel with the pass inlined.
/// </summary>
internal interface ISoftmaxOutput
{
    /// <summary>Whether pass two keeps e^(x − max) in the destination for the last pass to scale.</summary>
    static abstract bool KeepsExponentials { get; }

    /// <summary>The last pass over one contiguous row of <paramref name="rowLength"/> elements.</summary>
    static abstract void FinishRow<TSimd, TVector>(ref float row, ref float result, int rowLength, float max, float sum)
        where TSimd : struct, ISimd<TVector> where TVector : struct;

    /// <summary>
    /// The last pass over one <c>[axisLength, inner]</c> block, given the maximum and the sum per inner position
    /// (<paramref name="sum"/> may be overwritten).
    /// </summary>
    static abstract void FinishBlock<TSimd, TVector>(ref float input, ref float output, ref float max, ref float sum, int axisLength, int inner)
        where TSimd : struct, ISimd<TVector> where TVector : struct;
}

/// <summary>
/// The softmax family along one axis of a tensor viewed as <c>[outer, axis, inner]</c>, numerically stable: the maximum
/// along the axis is subtracted before exponentiating, so a -inf entry becomes exp(-inf) = 0 exactly while the others
/// stay finite. Passes one (maximum) and two (Σ e^(x − max)) are shared; <typeparamref name="TOutput"/> writes the result.
/// </summary>
internal static class AxisSoftmaxKernel<TOutput> where TOutput : struct, ISoftmaxOutput
{
    /// <summary>Each contiguous row of <paramref name="rowLength"/> elements (the last axis).</summary>
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

            Finish<TSimd, TVector>(ref row, ref result, rowLength, max);
        }
    }

    /// <summary>
    /// Passes two and three of a row whose maximum is <paramref name="max"/>. <paramref name="row"/> and
    /// <paramref name="result"/> may be the same. Four vectors per step with four partial sums: one exp is a chain of
    /// about twenty dependent operations, and independent chains side by side keep the FMA ports busy where one at a
    /// time would wait on latency.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Finish<TSimd, TVector>(ref float row, ref float result, int rowLength, float max)
        where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        var width = TSimd.Count;
        var vectorLength = rowLength - rowLength % width;
        var shift = TSimd.Broadcast(max);
        TVector sum0 = TSimd.Zero, sum1 = TSimd.Zero, sum2 = TSimd.Zero, sum3 = TSimd.Zero;
        var i = 0;
        for (; i + 4 * width <= vectorLength; i += 4 * width)
        {
            var e0 = TSimd.Exp(TSimd.Subtract(TSimd.Load(ref FloatRef.At(ref row, i)), shift));
            var e1 = TSimd.Exp(TSimd.Subtract(TSimd.Load(ref FloatRef.At(ref row, i + width)), shift));
            var e2 = TSimd.Exp(TSimd.Subtract(TSimd.Load(ref FloatRef.At(ref row, i + 2 * width)), shift));
            var e3 = TSimd.Exp(TSimd.Subtract(TSimd.Load(ref FloatRef.At(ref row, i + 3 * width)), shift));
            if (TOutput.KeepsExponentials)
            {
                TSimd.Store(e0, ref FloatRef.At(ref result, i));
                TSimd.Store(e1, ref FloatRef.At(ref result, i + width));
                TSimd.Store(e2, ref FloatRef.At(ref result, i + 2 * width));
                TSimd.Store(e3, ref FloatRef.At(ref result, i + 3 * width));
            }
            sum0 = TSimd.Add(sum0, e0);
            sum1 = TSimd.Add(sum1, e1);
            sum2 = TSimd.Add(sum2, e2);
            sum3 = TSimd.Add(sum3, e3);
        }
        for (; i < vectorLength; i += width)
        {
            var e = TSimd.Exp(TSimd.Subtract(TSimd.Load(ref FloatRef.At(ref row, i)), shift));
            if (TOutput.KeepsExponentials) TSimd.Store(e, ref FloatRef.At(ref result, i));
            sum0 = TSimd.Add(sum0, e);
        }
        var sum = TSimd.Sum(TSimd.Add(TSimd.Add(sum0, sum1), TSimd.Add(sum2, sum3)));
        for (; i < rowLength; i++)
        {
            var e = SimdScalar.Exp(FloatRef.At(ref row, i) - max);
            if (TOutput.KeepsExponentials) FloatRef.At(ref result, i) = e;
            sum += e;
        }
        TOutput.FinishRow<TSimd, TVector>(ref row, ref result, rowLength, max, sum);
    }

    /// <summary>
    /// Along the middle axis of <c>[outer, axisLength, inner]</c> (inner &gt; 1: a non-last axis), across whole inner
    /// rows at a time so every step is a contiguous vector operation.
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
        // Vectors run along inner rows.
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
        // Per inner position: the running maximum and the sum of exponentials. Small rows live on the stack.
        float[]? rented = null;
        var scratch = inner <= 256 ? stackalloc float[2 * inner] : (rented = TensorPool<float>.Shared.Rent(2 * inner)).AsSpan(0, 2 * inner);
        ref var max = ref MemoryMarshal.GetReference(scratch);
        ref var sum = ref FloatRef.At(ref max, inner);
        ref var x0 = ref MemoryMarshal.GetReference(x);
        ref var d0 = ref MemoryMarshal.GetReference(destination);
        var width = TSimd.Count;
        var vectorInner = inner - inner % width;
        var block = axisLength * inner;
        for (var o = 0; o < outer; o++)
        {
            ref var input = ref FloatRef.At(ref x0, o * block);
            ref var output = ref FloatRef.At(ref d0, o * block);
            for (var i = 0; i < inner; i++)
            {
                FloatRef.At(ref max, i) = float.NegativeInfinity;
                FloatRef.At(ref sum, i) = 0f;
            }
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
                ref var result = ref FloatRef.At(ref output, a * inner);
                var i = 0;
                for (; i < vectorInner; i += width)
                {
                    var e = TSimd.Exp(TSimd.Subtract(TSimd.Load(ref FloatRef.At(ref row, i)), TSimd.Load(ref FloatRef.At(ref max, i))));
                    if (TOutput.KeepsExponentials) TSimd.Store(e, ref FloatRef.At(ref result, i));
                    TSimd.Store(TSimd.Add(TSimd.Load(ref FloatRef.At(ref sum, i)), e), ref FloatRef.At(ref sum, i));
                }
                for (; i < inner; i++)
                {
                    var e = SimdScalar.Exp(FloatRef.At(ref row, i) - FloatRef.At(ref max, i));
                    if (TOutput.KeepsExponentials) FloatRef.At(ref result, i) = e;
                    FloatRef.At(ref sum, i) += e;
                }
            }
            TOutput.FinishBlock<TSimd, TVector>(ref input, ref output, ref max, ref sum, axisLength, inner);
        }
        if (rented is not null) TensorPool<float>.Shared.Return(rented);
    }
}
