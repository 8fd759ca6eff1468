using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>16 float lanes (AVX-512).</summary>
internal readonly struct Simd512 : ISimd<Vector512<float>>
{
    public static bool IsAccelerated => Vector512.IsHardwareAccelerated;

    public static int Count => Vector512<float>.Count;

    public static Vector512<float> Zero => Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref readonly float source) => Vector512.LoadUnsafe(in source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, ref float destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> left, Vector512<float> right, Vector512<float> addend) =>
        Vector512.MultiplyAddEstimate(left, right, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> left, Vector512<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Subtract(Vector512<float> left, Vector512<float> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> left, Vector512<float> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Divide(Vector512<float> left, Vector512<float> right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> GreaterAsOne(Vector512<float> left, Vector512<float> right) =>
        Vector512.GreaterThan(left, right) & Vector512<float>.One;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Select(Vector512<float> condition, Vector512<float> whenTrue, Vector512<float> whenFalse) =>
        Vector512.ConditionalSelect(Vector512.Equals(condition, Vector512<float>.Zero), whenFalse, whenTrue);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector512<float> value) => Vector512.Sum(value);
}
