namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// Writes x broadcast to a larger shape (ONNX Expand). Axes are merged as far as the broadcast allows; the innermost
/// merged axis is then one contiguous copy (x varies along it) or one fill (x is repeated along it).
/// </summary>
public static class ExpandKernel
{
    public static void Expand<T>(ReadOnlySpan<T> x, ReadOnlySpan<int> xShape, Span<T> destination, ReadOnlySpan<int> shape)
    {
        BroadcastShapes.ValidateDestination(shape, destination.Length);
        Span<int> strides = stackalloc int[BroadcastShapes.MaxRank];
        BroadcastShapes.Strides(xShape, x.Length, shape, strides[..shape.Length], nameof(x));
        if (destination.Length == 0) return;
        Span<int> dims = stackalloc int[BroadcastShapes.MaxRank];
        var rank = BroadcastShapes.Coalesce(shape, strides, 1, dims);
        if (rank == 0)
        {
            destination[0] = x[0];
            return;
        }
        var last = rank - 1;
        var inner = dims[last];
        var innerStride = strides[last];
        Span<int> index = stackalloc int[BroadcastShapes.MaxRank];
        index.Clear();
        var offset = 0;
        for (var written = 0; written < destination.Length; written += inner)
        {
            var row = destination.Slice(written, inner);
            if (innerStride == 0) row.Fill(x[offset]);
            else x.Slice(offset, inner).CopyTo(row);
            for (var axis = last - 1; axis >= 0; axis--)
            {
                offset += strides[axis];
                if (++index[axis] < dims[axis]) break;
                offset -= strides[axis] * dims[axis];
                index[axis] = 0;
            }
        }
    }
}
