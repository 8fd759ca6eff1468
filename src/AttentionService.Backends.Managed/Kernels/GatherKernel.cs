namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// ONNX Gather along one axis: data seen as [outer, axisSize, inner], destination as [outer, indices, inner]; each
/// index selects a contiguous block of <c>inner</c> elements, copied whole (an embedding lookup is one row copy per token).
/// </summary>
public static class GatherKernel
{
    /// <summary>destination[o, i, :] = data[o, indices[i] (negative from the end), :].</summary>
    public static void Gather<T>(ReadOnlySpan<T> data, int outer, int axisSize, int inner, ReadOnlySpan<long> indices, Span<T> destination)
    {
        if (data.Length != (long)outer * axisSize * inner)
            throw new ArgumentException($"data has {data.Length} elements, [{outer}, {axisSize}, {inner}] needs {(long)outer * axisSize * inner}", nameof(data));
        if (destination.Length != (long)outer * indices.Length * inner)
            throw new ArgumentException($"destination has {destination.Length} elements, [{outer}, {indices.Length}, {inner}] needs {(long)outer * indices.Length * inner}", nameof(destination));
        // Checked once up front so a bad index fails before anything is written.
        foreach (var index in indices)
            if (index < -axisSize || index >= axisSize)
                throw new ArgumentOutOfRangeException(nameof(indices), index, $"an index must be within [{-axisSize}, {axisSize - 1}]");
        var block = axisSize * inner;
        var written = 0;
        for (var o = 0; o < outer; o++)
        {
            var source = data.Slice(o * block, block);
            foreach (var index in indices)
            {
                var row = (int)(index < 0 ? index + axisSize : index);
                source.Slice(row * inner, inner).CopyTo(destination.Slice(written, inner));
                written += inner;
            }
        }
    }
}
