using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>4 float lanes (SSE / NEON).</summary>
internal readonly struct Simd128 : ISimd<Vector128<float>>
{
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Max(Vector128<float> left, Vector128<float> right) => Vector128.MaxNative(left, right);

    /// <summary>Two shuffles and lane-wise maxima (IEEE maximum: NaN-propagating like MathF.Max).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector128<float> value)
    {
        var max = Vector128.Max(value, Vector128.Shuffle(value, Vector128.Create(2, 3, 0, 1)));
        return Vector128.Max(max, Vector128.Shuffle(max, Vector128.Create(1, 0, 3, 2))).ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Exp(Vector128<float> x)
    {
        var clamped = Vector128.Min(x, Vector128.Create(ExpConstants.Highest));
        var n = Vector128.Round(clamped * Vector128.Create(ExpConstants.Log2E));
        var r = Vector128.MultiplyAddEstimate(n, Vector128.Create(-ExpConstants.Ln2High), clamped);
        r = Vector128.MultiplyAddEstimate(n, Vector128.Create(-ExpConstants.Ln2Low), r);
        var p = Vector128.MultiplyAddEstimate(Vector128.Create(ExpConstants.P0), r, Vector128.Create(ExpConstants.P1));
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(ExpConstants.P2));
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(ExpConstants.P3));
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(ExpConstants.P4));
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(ExpConstants.P5));
        p = Vector128.MultiplyAddEstimate(p, r * r, r + Vector128<float>.One);
        var scale = Vector128.ShiftLeft(Vector128.ConvertToInt32(n) + Vector128.Create(127), 23).AsSingle();
        return Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128.Create(ExpConstants.Lowest)), Vector128<float>.Zero, p * scale);
    }
}
