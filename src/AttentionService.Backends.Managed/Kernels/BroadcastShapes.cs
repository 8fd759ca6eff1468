namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// Numpy (ONNX multidirectional) broadcasting: shapes are right-aligned and each dimension pair must be equal or
/// contain a 1. Also lays out a broadcast as per-input strides over as few merged output axes as possible.
/// </summary>
public static class BroadcastShapes
{
    /// <summary>The largest rank broadcasting kernels accept (their index arithmetic lives on the stack).</summary>
    public const int MaxRank = 8;

    /// <summary>The broadcast shape of <paramref name="a"/> and <paramref name="b"/>; throws when they are incompatible.</summary>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        var result = new int[Math.Max(a.Length, b.Length)];
        BroadcastInto(a, b, result);
        return result;
    }

    /// <summary>The broadcast shape of <paramref name="a"/> and <paramref name="b"/> written to the start of <paramref name="result"/> (at least as long as the longer); returns its rank.</summary>
    public static int BroadcastInto(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<int> result)
    {
        var rank = Math.Max(a.Length, b.Length);
        for (var i = 1; i <= rank; i++)
        {
            var da = i <= a.Length ? a[^i] : 1;
            var db = i <= b.Length ? b[^i] : 1;
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"shapes [{string.Join(", ", a.ToArray())}] and [{string.Join(", ", b.ToArray())}] do not broadcast: dimension {da} against {db}");
            result[rank - i] = da == 1 ? db : da;
        }
        return rank;
    }

    /// <summary>The broadcast shape of three shapes.</summary>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b, ReadOnlySpan<int> c) => Broadcast(Broadcast(a, b), c);

    /// <summary>
    /// Strides of <paramref name="inputShape"/> read through <paramref name="outputShape"/> (0 on broadcast axes),
    /// after validating that the input's length and shape fit.
    /// </summary>
    internal static void Strides(ReadOnlySpan<int> inputShape, int inputLength, ReadOnlySpan<int> outputShape, Span<int> strides, string name)
    {
        if (inputShape.Length > outputShape.Length)
            throw new ArgumentException($"{name} has rank {inputShape.Length}, more than the destination's {outputShape.Length}", name);
        var expected = 1L;
        foreach (var d in inputShape) expected *= d;
        if (inputLength != expected)
            throw new ArgumentException($"{name} has {inputLength} elements, its shape [{string.Join(", ", inputShape.ToArray())}] needs {expected}", name);
        var stride = 1;
        for (var i = 1; i <= outputShape.Length; i++)
        {
            var d = i <= inputShape.Length ? inputShape[^i] : 1;
            if (d != outputShape[^i] && d != 1)
                throw new ArgumentException($"{name} shape [{string.Join(", ", inputShape.ToArray())}] does not broadcast to [{string.Join(", ", outputShape.ToArray())}]", name);
            strides[^i] = d == 1 ? 0 : stride;
            stride *= d;
        }
    }

    /// <summary>
    /// Merges output axes where every input's strides stay contiguous (or stay broadcast), and drops size-1 axes, so
    /// the innermost axis is as long as possible. <paramref name="strides"/> holds <paramref name="inputs"/> rows of
    /// <see cref="MaxRank"/>; on return the first <c>rank</c> entries of <paramref name="dims"/> and of each stride
    /// row describe the walk. Returns that rank (0 for a single element).
    /// </summary>
    internal static int Coalesce(ReadOnlySpan<int> outputShape, Span<int> strides, int inputs, Span<int> dims)
    {
        var rank = 0;
        for (var axis = 0; axis < outputShape.Length; axis++)
        {
            var size = outputShape[axis];
            if (size == 1) continue;
            var merge = rank > 0;
            for (var input = 0; input < inputs && merge; input++)
            {
                var row = strides.Slice(input * MaxRank, MaxRank);
                merge = row[rank - 1] == row[axis] * size;
            }
            if (merge)
            {
                dims[rank - 1] *= size;
                for (var input = 0; input < inputs; input++)
                    strides[input * MaxRank + rank - 1] = strides[input * MaxRank + axis];
            }
            else
            {
                dims[rank] = size;
                for (var input = 0; input < inputs; input++)
                    strides[input * MaxRank + rank] = strides[input * MaxRank + axis];
                rank++;
            }
        }
        return rank;
    }

    internal static void ValidateDestination(ReadOnlySpan<int> outputShape, int destinationLength)
    {
        if (outputShape.Length > MaxRank)
            throw new ArgumentException($"destination has rank {outputShape.Length}; at most {MaxRank} is supported", "destinationShape");
        var expected = 1L;
        foreach (var d in outputShape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d, "destinationShape");
            expected *= d;
        }
        if (destinationLength != expected)
            throw new ArgumentException($"destination has {destinationLength} elements, its shape [{string.Join(", ", outputShape.ToArray())}] needs {expected}", "destination");
    }
}
