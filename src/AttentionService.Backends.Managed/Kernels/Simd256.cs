using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>8 float lanes (AVX2).</summary>
internal readonly struct Simd256 : ISimd<Vector256<float>>
{
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Max(Vector256<float> left, Vector256<float> right) => Vector256.MaxNative(left, right);

    /// <summary>Halves the vector with a lane-wise maximum, then two shuffles (NaN-propagating like MathF.Max).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector256<float> value) => Simd128.MaxAcross(Vector128.Max(value.GetLower(), value.GetUpper()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var clamped = Vector256.Min(x, Vector256.Create(ExpConstants.Highest));
        var n = Vector256.Round(clamped * Vector256.Create(ExpConstants.Log2E));
        var r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-ExpConstants.Ln2High), clamped);
        r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-ExpConstants.Ln2Low), r);
        var p = Vector256.MultiplyAddEstimate(Vector256.Create(ExpConstants.P0), r, Vector256.Create(ExpConstants.P1));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(ExpConstants.P2));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(ExpConstants.P3));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(ExpConstants.P4));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(ExpConstants.P5));
        p = Vector256.MultiplyAddEstimate(p, r * r, r + Vector256<float>.One);
        var scale = Vector256.ShiftLeft(Vector256.ConvertToInt32(n) + Vector256.Create(127), 23).AsSingle();
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(ExpConstants.Lowest)), Vector256<float>.Zero, p * scale);
    }
}
