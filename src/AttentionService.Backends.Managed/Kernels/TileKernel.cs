namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// ONNX Tile: the output repeats x along every axis (output dimension = x dimension × repeats). Each output row along
/// the last axis is x's matching row copied whole, as many times as the last axis repeats.
/// </summary>
public static class TileKernel
{
    /// <summary>The largest rank the kernel accepts (its index arithmetic lives on the stack).</summary>
    public const int MaxRank = 8;

    public static void Tile<T>(ReadOnlySpan<T> x, ReadOnlySpan<int> xShape, Span<T> destination, ReadOnlySpan<int> shape)
    {
        var rank = xShape.Length;
        if (rank > MaxRank)
            throw new ArgumentException($"x has rank {rank}; at most {MaxRank} is supported", nameof(xShape));
        if (shape.Length != rank)
            throw new ArgumentException($"the output has rank {shape.Length}, x has {rank}", nameof(shape));
        Span<int> stride = stackalloc int[MaxRank];
        long xLength = 1, length = 1;
        for (var axis = rank - 1; axis >= 0; axis--)
        {
            if (xShape[axis] == 0 ? shape[axis] != 0 : shape[axis] % xShape[axis] != 0)
                throw new ArgumentException($"output [{string.Join(", ", shape.ToArray())}] is no tiling of x [{string.Join(", ", xShape.ToArray())}]", nameof(shape));
            stride[axis] = (int)xLength;
            xLength *= xShape[axis];
            length *= shape[axis];
        }
        if (x.Length != xLength)
            throw new ArgumentException($"x has {x.Length} elements, shape [{string.Join(", ", xShape.ToArray())}] needs {xLength}", nameof(x));
        if (destination.Length != length)
            throw new ArgumentException($"destination has {destination.Length} elements, shape [{string.Join(", ", shape.ToArray())}] needs {length}", nameof(destination));
        if (length == 0) return;
        if (rank == 0)
        {
            destination[0] = x[0];
            return;
        }

        var last = rank - 1;
        var inner = xShape[last];
        var row = shape[last];
        Span<int> index = stackalloc int[MaxRank];
        index.Clear();
        for (var written = 0; written < destination.Length; written += row)
        {
            var offset = 0;
            for (var axis = 0; axis < last; axis++) offset += index[axis] % xShape[axis] * stride[axis];
            var source = x.Slice(offset, inner);
            for (var at = 0; at < row; at += inner) source.CopyTo(destination.Slice(written + at, inner));
            for (var axis = last - 1; axis >= 0; axis--)
            {
                if (++index[axis] < shape[axis]) break;
                index[axis] = 0;
            }
        }
    }
}
