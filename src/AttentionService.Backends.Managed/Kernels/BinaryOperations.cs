using System.Runtime.CompilerServices;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>An elementwise binary operation, written once for every vector width (<see cref="SimdScalar"/> included).</summary>
internal interface IBinaryOperation
{
    static abstract TVector Invoke<TSimd, TVector>(TVector x, TVector y)
        where TSimd : struct, ISimd<TVector> where TVector : struct;
}

internal readonly struct AddOperation : IBinaryOperation
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Invoke<TSimd, TVector>(TVector x, TVector y) where TSimd : struct, ISimd<TVector> where TVector : struct =>
        TSimd.Add(x, y);
}

internal readonly struct SubtractOperation : IBinaryOperation
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Invoke<TSimd, TVector>(TVector x, TVector y) where TSimd : struct, ISimd<TVector> where TVector : struct =>
        TSimd.Subtract(x, y);
}

internal readonly struct MultiplyOperation : IBinaryOperation
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Invoke<TSimd, TVector>(TVector x, TVector y) where TSimd : struct, ISimd<TVector> where TVector : struct =>
        TSimd.Multiply(x, y);
}

internal readonly struct DivideOperation : IBinaryOperation
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Invoke<TSimd, TVector>(TVector x, TVector y) where TSimd : struct, ISimd<TVector> where TVector : struct =>
        TSimd.Divide(x, y);
}
