using System.Runtime.InteropServices;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// <c>destination = condition ? x : y</c> with numpy broadcasting over all three; the condition is a 0/1 float
/// (any non-zero value selects <c>x</c>).
/// </summary>
public static class WhereKernel
{
    public static void Where(ReadOnlySpan<float> condition, ReadOnlySpan<int> conditionShape, ReadOnlySpan<float> x, ReadOnlySpan<int> xShape,
        ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<float> destination, ReadOnlySpan<int> destinationShape)
    {
        // The innermost runs are known only after coalescing the broadcast; a run shorter than a vector takes the scalar tail.
        var body = new WhereBody(condition, conditionShape, x, xShape, y, yShape, destination, destinationShape);
        VectorDispatch.Run(body, destination.Length, destination.Length, computeBound: false);
    }

    internal readonly ref struct WhereBody(ReadOnlySpan<float> condition, ReadOnlySpan<int> conditionShape, ReadOnlySpan<float> x, ReadOnlySpan<int> xShape,
        ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<float> destination, ReadOnlySpan<int> destinationShape) : IVectorBody
    {
        private readonly ReadOnlySpan<float> _condition = condition;
        private readonly ReadOnlySpan<int> _conditionShape = conditionShape;
        private readonly ReadOnlySpan<float> _x = x;
        private readonly ReadOnlySpan<int> _xShape = xShape;
        private readonly ReadOnlySpan<float> _y = y;
        private readonly ReadOnlySpan<int> _yShape = yShape;
        private readonly Span<float> _destination = destination;
        private readonly ReadOnlySpan<int> _destinationShape = destinationShape;

        public void Run<TSimd, TVector>() where TSimd : struct, ISimd<TVector> where TVector : struct =>
            Where<TSimd, TVector>(_condition, _conditionShape, _x, _xShape, _y, _yShape, _destination, _destinationShape);
    }

    internal static void Where<TSimd, TVector>(ReadOnlySpan<float> condition, ReadOnlySpan<int> conditionShape, ReadOnlySpan<float> x, ReadOnlySpan<int> xShape,
        ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<float> destination, ReadOnlySpan<int> destinationShape)
        where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        BroadcastShapes.ValidateDestination(destinationShape, destination.Length);
        const int maxRank = BroadcastShapes.MaxRank;
        Span<int> strides = stackalloc int[3 * maxRank];
        BroadcastShapes.Strides(conditionShape, condition.Length, destinationShape, strides.Slice(0, destinationShape.Length), nameof(condition));
        BroadcastShapes.Strides(xShape, x.Length, destinationShape, strides.Slice(maxRank, destinationShape.Length), nameof(x));
        BroadcastShapes.Strides(yShape, y.Length, destinationShape, strides.Slice(2 * maxRank, destinationShape.Length), nameof(y));
        if (destination.IsEmpty) return;
        Span<int> dims = stackalloc int[maxRank];
        var rank = BroadcastShapes.Coalesce(destinationShape, strides, 3, dims);

        ref var c0 = ref MemoryMarshal.GetReference(condition);
        ref var x0 = ref MemoryMarshal.GetReference(x);
        ref var y0 = ref MemoryMarshal.GetReference(y);
        ref var d0 = ref MemoryMarshal.GetReference(destination);
        if (rank == 0)
        {
            d0 = SimdScalar.Select(c0, x0, y0);
            return;
        }
        var last = rank - 1;
        int innerLength = dims[last], cInner = strides[last], xInner = strides[maxRank + last], yInner = strides[2 * maxRank + last];
        Span<int> index = stackalloc int[maxRank];
        int cOffset = 0, xOffset = 0, yOffset = 0;
        for (var written = 0; written < destination.Length; written += innerLength)
        {
            Run<TSimd, TVector>(ref FloatRef.At(ref c0, cOffset), cInner, ref FloatRef.At(ref x0, xOffset), xInner,
                ref FloatRef.At(ref y0, yOffset), yInner, ref FloatRef.At(ref d0, written), innerLength);
            for (var axis = last - 1; axis >= 0; axis--)
            {
                cOffset += strides[axis];
                xOffset += strides[maxRank + axis];
                yOffset += strides[2 * maxRank + axis];
                if (++index[axis] < dims[axis]) break;
                cOffset -= strides[axis] * dims[axis];
                xOffset -= strides[maxRank + axis] * dims[axis];
                yOffset -= strides[2 * maxRank + axis] * dims[axis];
                index[axis] = 0;
            }
        }
    }

    /// <summary>One innermost run; each input's stride there is 1 (contiguous) or 0 (one repeated value).</summary>
    private static void Run<TSimd, TVector>(ref float c, int cStride, ref float x, int xStride, ref float y, int yStride, ref float d, int length)
        where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        var cRepeated = TSimd.Broadcast(c);
        var xRepeated = TSimd.Broadcast(x);
        var yRepeated = TSimd.Broadcast(y);
        var i = 0;
        for (; i + TSimd.Count <= length; i += TSimd.Count)
        {
            var cv = cStride == 0 ? cRepeated : TSimd.Load(ref FloatRef.At(ref c, i));
            var xv = xStride == 0 ? xRepeated : TSimd.Load(ref FloatRef.At(ref x, i));
            var yv = yStride == 0 ? yRepeated : TSimd.Load(ref FloatRef.At(ref y, i));
            TSimd.Store(TSimd.Select(cv, xv, yv), ref FloatRef.At(ref d, i));
        }
        for (; i < length; i++)
            FloatRef.At(ref d, i) = SimdScalar.Select(FloatRef.At(ref c, i * cStride), FloatRef.At(ref x, i * xStride), FloatRef.At(ref y, i * yStride));
    }
}
