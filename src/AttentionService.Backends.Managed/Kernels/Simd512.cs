using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>16 float lanes (AVX-512).</summary>
internal readonly struct Simd512 : ISimd<Vector512<float>>
{
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Max(Vector512<float> left, Vector512<float> right) => Vector512.MaxNative(left, right);

    /// <summary>Halves the vector with lane-wise maxima down to 128 bits, then two shuffles (NaN-propagating like MathF.Max).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector512<float> value) =>
        Simd128.MaxAcross(Vector128.Max(Vector128.Max(value.GetLower().GetLower(), value.GetLower().GetUpper()),
            Vector128.Max(value.GetUpper().GetLower(), value.GetUpper().GetUpper())));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        var clamped = Vector512.Min(x, Vector512.Create(ExpConstants.Highest));
        var n = Vector512.Round(clamped * Vector512.Create(ExpConstants.Log2E));
        var r = Vector512.MultiplyAddEstimate(n, Vector512.Create(-ExpConstants.Ln2High), clamped);
        r = Vector512.MultiplyAddEstimate(n, Vector512.Create(-ExpConstants.Ln2Low), r);
        var p = Vector512.MultiplyAddEstimate(Vector512.Create(ExpConstants.P0), r, Vector512.Create(ExpConstants.P1));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(ExpConstants.P2));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(ExpConstants.P3));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(ExpConstants.P4));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(ExpConstants.P5));
        p = Vector512.MultiplyAddEstimate(p, r * r, r + Vector512<float>.One);
        var scale = Vector512.ShiftLeft(Vector512.ConvertToInt32(n) + Vector512.Create(127), 23).AsSingle();
        return Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(ExpConstants.Lowest)), Vector512<float>.Zero, p * scale);
    }
}
