namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// Copies a strided window of a row-major tensor (ONNX Slice after its starts, ends and steps are resolved): per axis
/// a first index, a step (negative walks backwards) and a count. Trailing axes taken whole with step 1, and the step-1
/// axis before them, form one contiguous run, copied whole; the axes outside it are walked with an index odometer.
/// </summary>
public static class SliceKernel
{
    /// <summary>The largest rank the kernel accepts (its index arithmetic lives on the stack).</summary>
    public const int MaxRank = 8;

    /// <summary>destination[i₀, i₁, …] = x[starts₀ + i₀·steps₀, starts₁ + i₁·steps₁, …], for iₐ in [0, countsₐ).</summary>
    public static void Slice<T>(ReadOnlySpan<T> x, ReadOnlySpan<int> shape, ReadOnlySpan<int> starts, ReadOnlySpan<int> steps,
        ReadOnlySpan<int> counts, Span<T> destination)
    {
        var rank = shape.Length;
        if (rank > MaxRank)
            throw new ArgumentException($"shape has rank {rank}; at most {MaxRank} is supported", nameof(shape));
        if (starts.Length != rank || steps.Length != rank || counts.Length != rank)
            throw new ArgumentException($"starts, steps and counts need {rank} entries, one per axis", nameof(starts));
        Span<int> stride = stackalloc int[MaxRank];
        long length = 1, xLength = 1;
        for (var axis = rank - 1; axis >= 0; axis--)
        {
            stride[axis] = (int)xLength;
            xLength *= shape[axis];
            length *= counts[axis];
        }
        if (x.Length != xLength)
            throw new ArgumentException($"x has {x.Length} elements, shape [{string.Join(", ", shape.ToArray())}] needs {xLength}", nameof(x));
        if (destination.Length != length)
            throw new ArgumentException($"destination has {destination.Length} elements, the counts ({string.Join(", ", counts.ToArray())}) need {length}", nameof(destination));
        if (length == 0) return;
        var offset = 0;
        for (var axis = 0; axis < rank; axis++)
        {
            var lastIndex = starts[axis] + (long)(counts[axis] - 1) * steps[axis];
            if (starts[axis] < 0 || starts[axis] >= shape[axis] || lastIndex < 0 || lastIndex >= shape[axis])
                throw new ArgumentOutOfRangeException(nameof(starts), $"axis {axis}: {counts[axis]} elements from {starts[axis]} by {steps[axis]} leave [0, {shape[axis]})");
            offset += starts[axis] * stride[axis];
        }

        // The contiguous run: whole step-1 axes at the end, then one more step-1 axis taken in part.
        var block = 1;
        var loop = rank - 1;
        while (loop >= 0 && steps[loop] == 1 && counts[loop] == shape[loop])
            block *= shape[loop--];
        if (loop >= 0 && steps[loop] == 1)
            block *= counts[loop--];
        if (loop < 0)
        {
            x.Slice(offset, block).CopyTo(destination);
            return;
        }

        // Axis `loop` is walked inside, the axes before it by the odometer.
        var loopCount = counts[loop];
        var loopStride = steps[loop] * stride[loop];
        Span<int> index = stackalloc int[MaxRank];
        index.Clear();
        for (var written = 0; written < destination.Length;)
        {
            var at = offset;
            if (block == 1)
                for (var i = 0; i < loopCount; i++, at += loopStride) destination[written++] = x[at];
            else
                for (var i = 0; i < loopCount; i++, at += loopStride, written += block)
                    x.Slice(at, block).CopyTo(destination.Slice(written, block));
            for (var axis = loop - 1; axis >= 0; axis--)
            {
                var axisStride = steps[axis] * stride[axis];
                offset += axisStride;
                if (++index[axis] < counts[axis]) break;
                offset -= axisStride * counts[axis];
                index[axis] = 0;
            }
        }
    }
}
