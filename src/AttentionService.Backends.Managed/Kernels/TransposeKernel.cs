using System.Runtime.InteropServices;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// Permutes the axes of a row-major tensor: output axis i is input axis <c>perm[i]</c>. Size-1 axes are dropped and
/// axes that stay adjacent are merged first, so e.g. [b,t,d] with perm (0,2,1) runs as b blocked 2-D transposes and a
/// perm that moves nothing is a copy.
/// </summary>
public static class TransposeKernel
{
    /// <summary>The largest rank the kernel accepts (its index arithmetic lives on the stack).</summary>
    public const int MaxRank = 8;

    private const int Tile = 16;

    public static void Transpose(ReadOnlySpan<float> x, ReadOnlySpan<int> shape, ReadOnlySpan<int> perm, Span<float> destination)
    {
        Span<int> dims = stackalloc int[MaxRank];
        Span<int> strides = stackalloc int[MaxRank];
        var groups = Layout(x.Length, shape, perm, destination.Length, dims, strides);
        if (groups < 0) return;

        if (groups <= 1)
            x.CopyTo(destination);
        else if (groups == 2)
            Transpose2D(x, destination, rows: dims[1], columns: dims[0]);
        else if (groups == 3 && strides[0] == dims[1] * dims[2] && strides[2] == dims[1])
        {
            var block = dims[1] * dims[2];
            for (var b = 0; b < dims[0]; b++)
                Transpose2D(x.Slice(b * block, block), destination.Slice(b * block, block), rows: dims[2], columns: dims[1]);
        }
        else
            Gather(x, destination, dims[..groups], strides[..groups]);
    }

    /// <summary>
    /// The same permutation for tensors of any element type (INT64 and BOOL masks, which are small): the merged
    /// layout, then one walk of the output copying contiguous runs where the innermost output axis is contiguous in x.
    /// </summary>
    public static void Transpose<T>(ReadOnlySpan<T> x, ReadOnlySpan<int> shape, ReadOnlySpan<int> perm, Span<T> destination)
    {
        Span<int> dims = stackalloc int[MaxRank];
        Span<int> strides = stackalloc int[MaxRank];
        var groups = Layout(x.Length, shape, perm, destination.Length, dims, strides);
        if (groups < 0) return;
        if (groups <= 1)
        {
            x.CopyTo(destination);
            return;
        }
        var last = groups - 1;
        var innerLength = dims[last];
        var innerStride = strides[last];
        Span<int> index = stackalloc int[MaxRank];
        index.Clear();
        var sourceOffset = 0;
        for (var written = 0; written < destination.Length; written += innerLength)
        {
            if (innerStride == 1)
                x.Slice(sourceOffset, innerLength).CopyTo(destination.Slice(written, innerLength));
            else
                for (var t = 0; t < innerLength; t++)
                    destination[written + t] = x[sourceOffset + t * innerStride];
            for (var axis = last - 1; axis >= 0; axis--)
            {
                sourceOffset += strides[axis];
                if (++index[axis] < dims[axis]) break;
                sourceOffset -= strides[axis] * dims[axis];
                index[axis] = 0;
            }
        }
    }

    /// <summary>
    /// Validates the arguments and writes the walk of the output as merged axis groups (sizes in <paramref name="dims"/>,
    /// input strides in <paramref name="strides"/>); returns the group count, or -1 for an empty tensor.
    /// </summary>
    private static int Layout(int xLength, ReadOnlySpan<int> shape, ReadOnlySpan<int> perm, int destinationLength, Span<int> dims, Span<int> strides)
    {
        var rank = shape.Length;
        if (rank > MaxRank)
            throw new ArgumentException($"shape has rank {rank}; at most {MaxRank} is supported", nameof(shape));
        ValidatePermutation(perm, rank);
        var length = 1L;
        foreach (var d in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d, nameof(shape));
            length *= d;
        }
        if (xLength != length)
            throw new ArgumentException($"x has {xLength} elements, shape [{string.Join(", ", shape.ToArray())}] needs {length}", "x");
        if (destinationLength != xLength)
            throw new ArgumentException($"destination has {destinationLength} elements, x has {xLength}", "destination");
        if (length == 0) return -1;

        // Compact input axes (size-1 axes removed) and the output order over them.
        Span<int> compactIndex = stackalloc int[MaxRank];
        Span<int> compactShape = stackalloc int[MaxRank];
        var compactRank = 0;
        for (var axis = 0; axis < rank; axis++)
        {
            compactIndex[axis] = shape[axis] == 1 ? -1 : compactRank;
            if (shape[axis] != 1) compactShape[compactRank++] = shape[axis];
        }
        Span<int> order = stackalloc int[MaxRank];
        var orderLength = 0;
        foreach (var axis in perm)
            if (compactIndex[axis] >= 0) order[orderLength++] = compactIndex[axis];

        Span<int> compactStride = stackalloc int[MaxRank];
        var stride = 1;
        for (var axis = compactRank - 1; axis >= 0; axis--)
        {
            compactStride[axis] = stride;
            stride *= compactShape[axis];
        }

        // Merge runs of output axes that are consecutive input axes: the group's stride is that of its innermost axis.
        var groups = 0;
        for (var i = 0; i < orderLength; i++)
        {
            var axis = order[i];
            if (i > 0 && axis == order[i - 1] + 1)
            {
                dims[groups - 1] *= compactShape[axis];
                strides[groups - 1] = compactStride[axis];
            }
            else
            {
                dims[groups] = compactShape[axis];
                strides[groups] = compactStride[axis];
                groups++;
            }
        }
        return groups;
    }

    private static void ValidatePermutation(ReadOnlySpan<int> perm, int rank)
    {
        if (perm.Length != rank)
            throw new ArgumentException($"perm has {perm.Length} axes, the tensor has rank {rank}", nameof(perm));
        Span<bool> seen = stackalloc bool[MaxRank];
        foreach (var axis in perm)
        {
            if (axis < 0 || axis >= rank || seen[axis])
                throw new ArgumentException($"perm ({string.Join(", ", perm.ToArray())}) is not a permutation of 0..{rank - 1}", nameof(perm));
            seen[axis] = true;
        }
    }

    /// <summary>Input <c>[rows, columns]</c> to output <c>[columns, rows]</c>, in tiles that stay in L1 for both sides.</summary>
    private static void Transpose2D(ReadOnlySpan<float> x, Span<float> destination, int rows, int columns)
    {
        ref var source = ref MemoryMarshal.GetReference(x);
        ref var target = ref MemoryMarshal.GetReference(destination);
        for (var i0 = 0; i0 < rows; i0 += Tile)
        {
            var iEnd = Math.Min(i0 + Tile, rows);
            for (var j0 = 0; j0 < columns; j0 += Tile)
            {
                var jEnd = Math.Min(j0 + Tile, columns);
                for (var i = i0; i < iEnd; i++)
                {
                    ref var sourceRow = ref FloatRef.At(ref source, i * columns);
                    for (var j = j0; j < jEnd; j++)
                        FloatRef.At(ref target, j * rows + i) = FloatRef.At(ref sourceRow, j);
                }
            }
        }
    }

    /// <summary>Walks the output in order with an index odometer; the innermost output axis reads input at a fixed stride.</summary>
    private static void Gather(ReadOnlySpan<float> x, Span<float> destination, ReadOnlySpan<int> dims, ReadOnlySpan<int> strides)
    {
        ref var source = ref MemoryMarshal.GetReference(x);
        ref var target = ref MemoryMarshal.GetReference(destination);
        var last = dims.Length - 1;
        var innerLength = dims[last];
        var innerStride = strides[last];
        Span<int> index = stackalloc int[MaxRank];
        var sourceOffset = 0;
        for (var written = 0; written < destination.Length; written += innerLength)
        {
            ref var row = ref FloatRef.At(ref target, written);
            for (var t = 0; t < innerLength; t++)
                FloatRef.At(ref row, t) = FloatRef.At(ref source, sourceOffset + t * innerStride);
            for (var axis = last - 1; axis >= 0; axis--)
            {
                sourceOffset += strides[axis];
                if (++index[axis] < dims[axis]) break;
                sourceOffset -= strides[axis] * dims[axis];
                index[axis] = 0;
            }
        }
    }
}
