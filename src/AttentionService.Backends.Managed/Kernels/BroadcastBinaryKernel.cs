using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// Elementwise binary operations with numpy broadcasting. The broadcast is coalesced into a walk over outer axes whose
/// innermost run reads each input either contiguously or as one repeated value, and each run is a vector loop.
/// </summary>
public static class BroadcastBinaryKernel
{
    public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<float> destination, ReadOnlySpan<int> destinationShape) =>
        Apply<AddOperation>(x, xShape, y, yShape, destination, destinationShape);

    public static void Subtract(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<float> destination, ReadOnlySpan<int> destinationShape) =>
        Apply<SubtractOperation>(x, xShape, y, yShape, destination, destinationShape);

    public static void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<float> destination, ReadOnlySpan<int> destinationShape) =>
        Apply<MultiplyOperation>(x, xShape, y, yShape, destination, destinationShape);

    public static void Divide(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<float> destination, ReadOnlySpan<int> destinationShape) =>
        Apply<DivideOperation>(x, xShape, y, yShape, destination, destinationShape);

    internal static void Apply<TOperation>(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<float> destination, ReadOnlySpan<int> destinationShape)
        where TOperation : IBinaryOperation
    {
        // The innermost runs are known only after coalescing the broadcast; a run shorter than a vector takes the scalar tail.
        var body = new ApplyBody<TOperation>(x, xShape, y, yShape, destination, destinationShape);
        VectorDispatch.Run(body, destination.Length, destination.Length, computeBound: false);
    }

    internal readonly ref struct ApplyBody<TOperation>(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape,
        Span<float> destination, ReadOnlySpan<int> destinationShape) : IVectorBody
        where TOperation : IBinaryOperation
    {
        private readonly ReadOnlySpan<float> _x = x;
        private readonly ReadOnlySpan<int> _xShape = xShape;
        private readonly ReadOnlySpan<float> _y = y;
        private readonly ReadOnlySpan<int> _yShape = yShape;
        private readonly Span<float> _destination = destination;
        private readonly ReadOnlySpan<int> _destinationShape = destinationShape;

        public void Run<TSimd, TVector>() where TSimd : struct, ISimd<TVector> where TVector : struct =>
            Apply<TOperation, TSimd, TVector>(_x, _xShape, _y, _yShape, _destination, _destinationShape);
    }

    internal static void Apply<TOperation, TSimd, TVector>(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<float> destination, ReadOnlySpan<int> destinationShape)
        where TOperation : IBinaryOperation where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        BroadcastShapes.ValidateDestination(destinationShape, destination.Length);
        const int maxRank = BroadcastShapes.MaxRank;
        Span<int> strides = stackalloc int[2 * maxRank];
        BroadcastShapes.Strides(xShape, x.Length, destinationShape, strides.Slice(0, destinationShape.Length), nameof(x));
        BroadcastShapes.Strides(yShape, y.Length, destinationShape, strides.Slice(maxRank, destinationShape.Length), nameof(y));
        if (destination.IsEmpty) return;
        Span<int> dims = stackalloc int[maxRank];
        var rank = BroadcastShapes.Coalesce(destinationShape, strides, 2, dims);

        ref var x0 = ref MemoryMarshal.GetReference(x);
        ref var y0 = ref MemoryMarshal.GetReference(y);
        ref var d0 = ref MemoryMarshal.GetReference(destination);
        if (rank == 0)
        {
            d0 = TOperation.Invoke<SimdScalar, float>(x0, y0);
            return;
        }
        var last = rank - 1;
        int innerLength = dims[last], xInner = strides[last], yInner = strides[maxRank + last];
        Span<int> index = stackalloc int[maxRank];
        int xOffset = 0, yOffset = 0;
        for (var written = 0; written < destination.Length; written += innerLength)
        {
            ref var xRun = ref FloatRef.At(ref x0, xOffset);
            ref var yRun = ref FloatRef.At(ref y0, yOffset);
            ref var dRun = ref FloatRef.At(ref d0, written);
            if (xInner != 0 && yInner != 0) Both<TOperation, TSimd, TVector>(ref xRun, ref yRun, ref dRun, innerLength);
            else if (xInner != 0) RightRepeated<TOperation, TSimd, TVector>(ref xRun, yRun, ref dRun, innerLength);
            else if (yInner != 0) LeftRepeated<TOperation, TSimd, TVector>(xRun, ref yRun, ref dRun, innerLength);
            else FloatRef.Fill(ref dRun, TOperation.Invoke<SimdScalar, float>(xRun, yRun), innerLength);
            for (var axis = last - 1; axis >= 0; axis--)
            {
                xOffset += strides[axis];
                yOffset += strides[maxRank + axis];
                if (++index[axis] < dims[axis]) break;
                xOffset -= strides[axis] * dims[axis];
                yOffset -= strides[maxRank + axis] * dims[axis];
                index[axis] = 0;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Both<TOperation, TSimd, TVector>(ref float x, ref float y, ref float d, int length)
        where TOperation : IBinaryOperation where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        var i = 0;
        for (; i + TSimd.Count <= length; i += TSimd.Count)
            TSimd.Store(TOperation.Invoke<TSimd, TVector>(TSimd.Load(ref FloatRef.At(ref x, i)), TSimd.Load(ref FloatRef.At(ref y, i))), ref FloatRef.At(ref d, i));
        for (; i < length; i++)
            FloatRef.At(ref d, i) = TOperation.Invoke<SimdScalar, float>(FloatRef.At(ref x, i), FloatRef.At(ref y, i));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RightRepeated<TOperation, TSimd, TVector>(ref float x, float y, ref float d, int length)
        where TOperation : IBinaryOperation where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        var yVector = TSimd.Broadcast(y);
        var i = 0;
        for (; i + TSimd.Count <= length; i += TSimd.Count)
            TSimd.Store(TOperation.Invoke<TSimd, TVector>(TSimd.Load(ref FloatRef.At(ref x, i)), yVector), ref FloatRef.At(ref d, i));
        for (; i < length; i++)
            FloatRef.At(ref d, i) = TOperation.Invoke<SimdScalar, float>(FloatRef.At(ref x, i), y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LeftRepeated<TOperation, TSimd, TVector>(float x, ref float y, ref float d, int length)
        where TOperation : IBinaryOperation where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        var xVector = TSimd.Broadcast(x);
        var i = 0;
        for (; i + TSimd.Count <= length; i += TSimd.Count)
            TSimd.Store(TOperation.Invoke<TSimd, TVector>(xVector, TSimd.Load(ref FloatRef.At(ref y, i))), ref FloatRef.At(ref d, i));
        for (; i < length; i++)
            FloatRef.At(ref d, i) = TOperation.Invoke<SimdScalar, float>(x, FloatRef.At(ref y, i));
    }
}
