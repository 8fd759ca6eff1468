using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>4 float lanes (SSE / NEON).</summary>
internal readonly struct Simd128 : ISimd<Vector128<float>>
{
    public static bool IsAccelerated => Vector128.IsHardwareAccelerated;

    public static int Count => Vector128<float>.Count;

    public static Vector128<float> Zero => Vector128<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(ref readonly float source) => Vector128.LoadUnsafe(in source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<float> value, ref float destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Broadcast(float value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> left, Vector128<float> right, Vector128<float> addend) =>
        Vector128.MultiplyAddEstimate(left, right, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> left, Vector128<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Subtract(Vector128<float> left, Vector128<float> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Multiply(Vector128<float> left, Vector128<float> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Divide(Vector128<float> left, Vector128<float> right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> GreaterAsOne(Vector128<float> left, Vector128<float> right) =>
        Vector128.GreaterThan(left, right) & Vector128<float>.One;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Select(Vector128<float> condition, Vector128<float> whenTrue, Vector128<float> whenFalse) =>
        Vector128.ConditionalSelect(Vector128.Equals(condition, Vector128<float>.Zero), whenFalse, whenTrue);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector128<float> value) => Vector128.Sum(value);
}
