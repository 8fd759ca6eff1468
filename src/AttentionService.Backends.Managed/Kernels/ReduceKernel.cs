using System.Numerics.Tensors;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>A reduction <see cref="ReduceKernel"/> applies: its value over no elements, and how it folds rows.</summary>
public interface IReduction<T>
{
    /// <summary>The result over an empty set, and the start of every accumulation.</summary>
    static abstract T Identity { get; }

    static abstract T Combine(T accumulated, T value);

    /// <summary>The reduction of a non-empty contiguous row.</summary>
    static abstract T Aggregate(ReadOnlySpan<T> row);

    /// <summary><paramref name="accumulator"/>[i] = Combine(accumulator[i], row[i]).</summary>
    static abstract void CombineInto(Span<T> accumulator, ReadOnlySpan<T> row);
}

/// <summary>
/// Reduces a row-major tensor over any set of its axes into the tensor of the kept axes (in order). Size-1 axes are
/// dropped and adjacent axes of the same kind merged first, so the walk is over contiguous input rows: a reduced
/// innermost run folds into one output element (a vectorized sum or maximum of the row), a kept one folds elementwise
/// into a run of output elements (a vectorized add or maximum of two rows).
/// </summary>
public static class ReduceKernel
{
    /// <summary>The largest rank the kernel accepts (its index arithmetic lives on the stack).</summary>
    public const int MaxRank = 16;

    public static void Reduce<T, TReduction>(ReadOnlySpan<T> x, ReadOnlySpan<int> shape, ReadOnlySpan<bool> reduced, Span<T> destination)
        where TReduction : IReduction<T>
    {
        var rank = shape.Length;
        if (rank > MaxRank)
            throw new ArgumentException($"shape has rank {rank}; at most {MaxRank} is supported", nameof(shape));
        if (reduced.Length != rank)
            throw new ArgumentException($"reduced has {reduced.Length} flags, the shape has rank {rank}", nameof(reduced));
        long length = 1, kept = 1;
        for (var axis = 0; axis < rank; axis++)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(shape[axis], nameof(shape));
            length *= shape[axis];
            if (!reduced[axis]) kept *= shape[axis];
        }
        if (x.Length != length)
            throw new ArgumentException($"x has {x.Length} elements, shape [{string.Join(", ", shape.ToArray())}] needs {length}", nameof(x));
        if (destination.Length != kept)
            throw new ArgumentException($"destination has {destination.Length} elements, the kept axes need {kept}", nameof(destination));

        destination.Fill(TReduction.Identity);
        if (x.IsEmpty) return;

        Span<int> dims = stackalloc int[MaxRank];
        Span<bool> groupReduced = stackalloc bool[MaxRank];
        var groups = 0;
        for (var axis = 0; axis < rank; axis++)
        {
            if (shape[axis] == 1) continue;
            if (groups > 0 && groupReduced[groups - 1] == reduced[axis]) dims[groups - 1] *= shape[axis];
            else
            {
                dims[groups] = shape[axis];
                groupReduced[groups] = reduced[axis];
                groups++;
            }
        }
        if (groups == 0)
        {
            destination[0] = TReduction.Combine(destination[0], x[0]);
            return;
        }

        // Output strides per group: 0 on reduced groups, so every input row lands on its kept coordinates.
        Span<int> outputStrides = stackalloc int[MaxRank];
        var stride = 1;
        for (var g = groups - 1; g >= 0; g--)
        {
            outputStrides[g] = groupReduced[g] ? 0 : stride;
            if (!groupReduced[g]) stride *= dims[g];
        }

        var last = groups - 1;
        var inner = dims[last];
        var innerReduced = groupReduced[last];
        Span<int> index = stackalloc int[MaxRank];
        index.Clear();
        var offset = 0;
        for (var read = 0; read < x.Length; read += inner)
        {
            var row = x.Slice(read, inner);
            if (innerReduced) destination[offset] = TReduction.Combine(destination[offset], TReduction.Aggregate(row));
            else TReduction.CombineInto(destination.Slice(offset, inner), row);
            for (var g = last - 1; g >= 0; g--)
            {
                offset += outputStrides[g];
                if (++index[g] < dims[g]) break;
                offset -= outputStrides[g] * dims[g];
                index[g] = 0;
            }
        }
    }
}

/// <summary>Sum (0 over no elements).</summary>
public readonly struct SumReduction<T> : IReduction<T>
    where T : System.Numerics.IAdditionOperators<T, T, T>, System.Numerics.IAdditiveIdentity<T, T>
{
    public static T Identity => T.AdditiveIdentity;

    public static T Combine(T accumulated, T value) => accumulated + value;

    public static T Aggregate(ReadOnlySpan<T> row) => TensorPrimitives.Sum(row);

    public static void CombineInto(Span<T> accumulator, ReadOnlySpan<T> row) => TensorPrimitives.Add(accumulator, row, accumulator);
}

/// <summary>Float maximum: −inf over no elements, NaN if any element is NaN.</summary>
public readonly struct FloatMaxReduction : IReduction<float>
{
    public static float Identity => float.NegativeInfinity;

    public static float Combine(float accumulated, float value) => MathF.Max(accumulated, value);

    public static float Aggregate(ReadOnlySpan<float> row) => TensorPrimitives.Max(row);

    public static void CombineInto(Span<float> accumulator, ReadOnlySpan<float> row) => TensorPrimitives.Max(accumulator, row, accumulator);
}

/// <summary>Int64 maximum: the type's minimum over no elements.</summary>
public readonly struct Int64MaxReduction : IReduction<long>
{
    public static long Identity => long.MinValue;

    public static long Combine(long accumulated, long value) => Math.Max(accumulated, value);

    public static long Aggregate(ReadOnlySpan<long> row) => TensorPrimitives.Max(row);

    public static void CombineInto(Span<long> accumulator, ReadOnlySpan<long> row) => TensorPrimitives.Max(accumulator, row, accumulator);
}
