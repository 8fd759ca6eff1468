using System.Runtime.InteropServices;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>Casting to BOOL within float storage: non-zero (NaN included, as in C) becomes 1, zero (±0) becomes 0.</summary>
public static class CastKernel
{
    public static void ToBoolean(ReadOnlySpan<float> x, Span<float> destination)
    {
        if (destination.Length != x.Length)
            throw new ArgumentException($"destination has {destination.Length} elements, x has {x.Length}", nameof(destination));
        VectorDispatch.Run(new ToBooleanBody(x, destination), x.Length, x.Length, computeBound: false);
    }

    internal readonly ref struct ToBooleanBody(ReadOnlySpan<float> x, Span<float> destination) : IVectorBody
    {
        private readonly ReadOnlySpan<float> _x = x;
        private readonly Span<float> _destination = destination;

        public void Run<TSimd, TVector>() where TSimd : struct, ISimd<TVector> where TVector : struct =>
            ToBoolean<TSimd, TVector>(_x, _destination);
    }

    internal static void ToBoolean<TSimd, TVector>(ReadOnlySpan<float> x, Span<float> destination)
        where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        ref var x0 = ref MemoryMarshal.GetReference(x);
        ref var d0 = ref MemoryMarshal.GetReference(destination);
        TVector one = TSimd.Broadcast(1f), zero = TSimd.Zero;
        var i = 0;
        for (; i + TSimd.Count <= x.Length; i += TSimd.Count)
            TSimd.Store(TSimd.Select(TSimd.Load(ref FloatRef.At(ref x0, i)), one, zero), ref FloatRef.At(ref d0, i));
        for (; i < x.Length; i++)
            FloatRef.At(ref d0, i) = SimdScalar.Select(FloatRef.At(ref x0, i), 1f, 0f);
    }
}
