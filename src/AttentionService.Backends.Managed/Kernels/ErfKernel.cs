using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// Elementwise error function (TensorPrimitives has none), within 1e-6 absolute of the exact value. Two branches,
/// both computed for every lane and one selected: below |x| = 0.5 the Taylor series x·P(x²) (truncated where the
/// next term is under 1e-9, so small inputs keep their relative accuracy); from 0.5 Abramowitz and Stegun 7.1.26,
/// 1 − t·Q(t)·e^(−x²) with t = 1 / (1 + p|x|), whose own error is under 1.5e-7, and odd symmetry for the sign.
/// </summary>
public static class ErfKernel
{
    private const float SeriesLimit = 0.5f;

    // 2/√π · (−1)ⁿ / (n! (2n + 1)), n = 0..6.
    private const float S0 = 1.1283791670955126f;
    private const float S1 = -0.37612638903183754f;
    private const float S2 = 0.11283791670955126f;
    private const float S3 = -0.026866170645131252f;
    private const float S4 = 0.005223977625442188f;
    private const float S5 = -0.0008548327023450852f;
    private const float S6 = 0.00012055332981789664f;

    private const float P = 0.3275911f;
    private const float A1 = 0.254829592f;
    private const float A2 = -0.284496736f;
    private const float A3 = 1.421413741f;
    private const float A4 = -1.453152027f;
    private const float A5 = 1.061405429f;

    public static void Erf(ReadOnlySpan<float> x, Span<float> destination)
    {
        if (destination.Length != x.Length)
            throw new ArgumentException($"destination has {destination.Length} elements, x has {x.Length}", nameof(destination));
        VectorDispatch.Run(new ErfBody(x, destination), x.Length, x.Length, computeBound: true);
    }

    internal readonly ref struct ErfBody(ReadOnlySpan<float> x, Span<float> destination) : IVectorBody
    {
        private readonly ReadOnlySpan<float> _x = x;
        private readonly Span<float> _destination = destination;

        public void Run<TSimd, TVector>() where TSimd : struct, ISimd<TVector> where TVector : struct =>
            Erf<TSimd, TVector>(_x, _destination);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Erf<TSimd, TVector>(ReadOnlySpan<float> x, Span<float> destination)
        where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        ref var x0 = ref MemoryMarshal.GetReference(x);
        ref var d0 = ref MemoryMarshal.GetReference(destination);
        var width = TSimd.Count;
        var vectorLength = x.Length - x.Length % width;
        var i = 0;
        for (; i < vectorLength; i += width)
            TSimd.Store(Erf<TSimd, TVector>(TSimd.Load(ref FloatRef.At(ref x0, i))), ref FloatRef.At(ref d0, i));
        for (; i < x.Length; i++)
            FloatRef.At(ref d0, i) = Erf<SimdScalar, float>(FloatRef.At(ref x0, i));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Erf<TSimd, TVector>(TVector x) where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        var square = TSimd.Multiply(x, x);
        var series = TSimd.MultiplyAdd(TSimd.Broadcast(S6), square, TSimd.Broadcast(S5));
        series = TSimd.MultiplyAdd(series, square, TSimd.Broadcast(S4));
        series = TSimd.MultiplyAdd(series, square, TSimd.Broadcast(S3));
        series = TSimd.MultiplyAdd(series, square, TSimd.Broadcast(S2));
        series = TSimd.MultiplyAdd(series, square, TSimd.Broadcast(S1));
        series = TSimd.Multiply(x, TSimd.MultiplyAdd(series, square, TSimd.Broadcast(S0)));

        var one = TSimd.Broadcast(1f);
        // |x| as max(x, −x); a NaN stays NaN through every step below.
        var magnitude = TSimd.Max(x, TSimd.Subtract(TSimd.Zero, x));
        var t = TSimd.Divide(one, TSimd.MultiplyAdd(TSimd.Broadcast(P), magnitude, one));
        var q = TSimd.MultiplyAdd(TSimd.Broadcast(A5), t, TSimd.Broadcast(A4));
        q = TSimd.MultiplyAdd(q, t, TSimd.Broadcast(A3));
        q = TSimd.MultiplyAdd(q, t, TSimd.Broadcast(A2));
        q = TSimd.MultiplyAdd(q, t, TSimd.Broadcast(A1));
        q = TSimd.Multiply(q, t);
        // e^(−x²) is exactly 0 once −x² is below float's normal range, so erf saturates at ±1.
        var tail = TSimd.Subtract(one, TSimd.Multiply(q, TSimd.Exp(TSimd.Subtract(TSimd.Zero, square))));
        var signed = TSimd.Select(TSimd.GreaterAsOne(TSimd.Zero, x), TSimd.Subtract(TSimd.Zero, tail), tail);

        return TSimd.Select(TSimd.GreaterAsOne(TSimd.Broadcast(SeriesLimit), magnitude), series, signed);
    }
}
