using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// The float operations kernels are written against, implemented once per vector width (<see cref="Simd512"/>,
/// <see cref="Simd256"/>, <see cref="Simd128"/>, and <see cref="SimdScalar"/> with one lane), so each kernel has one
/// body that the JIT specializes per width: static abstract calls on a struct type argument inline to intrinsics.
/// </summary>
internal interface ISimd<TVector> where TVector : struct
{
    static abstract int Count { get; }

    static abstract TVector Zero { get; }

    static abstract TVector Load(ref readonly float source);

    static abstract void Store(TVector value, ref float destination);

    static abstract TVector Broadcast(float value);

    /// <summary><c>left * right + addend</c>, fused where the hardware has FMA.</summary>
    static abstract TVector MultiplyAdd(TVector left, TVector right, TVector addend);

    static abstract TVector Add(TVector left, TVector right);

    static abstract TVector Subtract(TVector left, TVector right);

    static abstract TVector Multiply(TVector left, TVector right);

    static abstract TVector Divide(TVector left, TVector right);

    /// <summary>1 in each lane where <c>left &gt; right</c>, else 0 (booleans are 0/1 floats).</summary>
    static abstract TVector GreaterAsOne(TVector left, TVector right);

    /// <summary><paramref name="whenTrue"/> where <paramref name="condition"/> is non-zero, else <paramref name="whenFalse"/>.</summary>
    static abstract TVector Select(TVector condition, TVector whenTrue, TVector whenFalse);

    static abstract float Sum(TVector value);

    /// <summary>Lane-wise maximum (the instruction's own NaN behaviour; softmax inputs are not NaN).</summary>
    static abstract TVector Max(TVector left, TVector right);

    static abstract float MaxAcross(TVector value);

    /// <summary>
    /// e^x in float precision (Cephes-style range reduction and degree-6 polynomial, within a few ulp); inputs below
    /// -87.3 (where e^x leaves the normal range) give exactly 0, so e^-inf = 0.
    /// </summary>
    static abstract TVector Exp(TVector x);
}

/// <summary>Reads and writes through managed references without bounds checks; kernels validate lengths up front.</summary>
internal static class FloatRef
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref float At(ref float origin, int offset) => ref Unsafe.Add(ref origin, (nint)(uint)offset);

    public static void Fill(ref float origin, float value, int length) => MemoryMarshal.CreateSpan(ref origin, length).Fill(value);
}
