using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>8 float lanes (AVX2).</summary>
internal readonly struct Simd256 : ISimd<Vector256<float>>
{
    public static bool IsAccelerated => Vector256.IsHardwareAccelerated;

    public static int Count => Vector256<float>.Count;

    public static Vector256<float> Zero => Vector256<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref readonly float source) => Vector256.LoadUnsafe(in source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, ref float destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> left, Vector256<float> right, Vector256<float> addend) =>
        Vector256.MultiplyAddEstimate(left, right, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> left, Vector256<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Subtract(Vector256<float> left, Vector256<float> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> left, Vector256<float> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Divide(Vector256<float> left, Vector256<float> right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> GreaterAsOne(Vector256<float> left, Vector256<float> right) =>
        Vector256.GreaterThan(left, right) & Vector256<float>.One;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Select(Vector256<float> condition, Vector256<float> whenTrue, Vector256<float> whenFalse) =>
        Vector256.ConditionalSelect(Vector256.Equals(condition, Vector256<float>.Zero), whenFalse, whenTrue);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector256<float> value) => Vector256.Sum(value);
}
