namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// Copies between a tensor and a range of another's axis, both seen as [outer, block]: Concat writes each input into
/// its columns of the output, Split reads each output's columns of the input. Each of the <c>outer</c> rows is one
/// contiguous copy.
/// </summary>
public static class AxisBlockKernel
{
    /// <summary>destination[o, offset .. offset + sourceBlock] = source[o, :] for every o.</summary>
    public static void Insert<T>(ReadOnlySpan<T> source, int outer, int sourceBlock, Span<T> destination, int destinationBlock, int offset)
    {
        Validate(source.Length, outer, sourceBlock, destination.Length, destinationBlock, offset, nameof(source), nameof(destination));
        for (var o = 0; o < outer; o++)
            source.Slice(o * sourceBlock, sourceBlock).CopyTo(destination.Slice(o * destinationBlock + offset, sourceBlock));
    }

    /// <summary>destination[o, :] = source[o, offset .. offset + destinationBlock] for every o.</summary>
    public static void Extract<T>(ReadOnlySpan<T> source, int outer, int sourceBlock, int offset, Span<T> destination, int destinationBlock)
    {
        Validate(destination.Length, outer, destinationBlock, source.Length, sourceBlock, offset, nameof(destination), nameof(source));
        for (var o = 0; o < outer; o++)
            source.Slice(o * sourceBlock + offset, destinationBlock).CopyTo(destination.Slice(o * destinationBlock, destinationBlock));
    }

    private static void Validate(int partLength, int outer, int partBlock, int wholeLength, int wholeBlock, int offset, string part, string whole)
    {
        if (partLength != (long)outer * partBlock)
            throw new ArgumentException($"{part} has {partLength} elements, [{outer}, {partBlock}] needs {(long)outer * partBlock}", part);
        if (wholeLength != (long)outer * wholeBlock)
            throw new ArgumentException($"{whole} has {wholeLength} elements, [{outer}, {wholeBlock}] needs {(long)outer * wholeBlock}", whole);
        if (offset < 0 || offset + partBlock > wholeBlock)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"columns [{offset}, {offset + partBlock}) do not fit in {wholeBlock}");
    }
}
