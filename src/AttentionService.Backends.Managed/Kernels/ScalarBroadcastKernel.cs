namespace AttentionService.Backends.Managed.Kernels;

/// <summary>A function of two elements, applied by <see cref="ScalarBroadcastKernel"/>.</summary>
public interface IElementFunction<TX, TY, TOut>
{
    static abstract TOut Apply(TX x, TY y);
}

/// <summary>A function of two elements of the same type, applied by <see cref="ScalarBroadcastKernel"/>.</summary>
public interface IElementFunction<TIn, TOut> : IElementFunction<TIn, TIn, TOut>;

/// <summary>
/// Element-wise functions of any element type with numpy broadcasting, one element at a time: the kernels for INT64
/// and BOOL tensors (shape arithmetic, masks, comparisons), which are small, and the broadcast fallback of Pow; float32
/// arithmetic has vectorized kernels (<see cref="BroadcastBinaryKernel"/>).
/// </summary>
public static class ScalarBroadcastKernel
{
    /// <summary>destination = f(x, y), broadcasting x and y to <paramref name="shape"/>.</summary>
    public static void Binary<TIn, TOut, TFunction>(ReadOnlySpan<TIn> x, ReadOnlySpan<int> xShape, ReadOnlySpan<TIn> y, ReadOnlySpan<int> yShape,
        Span<TOut> destination, ReadOnlySpan<int> shape) where TFunction : IElementFunction<TIn, TOut> =>
        Binary<TIn, TIn, TOut, TFunction>(x, xShape, y, yShape, destination, shape);

    /// <summary>destination = f(x, y) for operands of two element types, broadcasting x and y to <paramref name="shape"/>.</summary>
    public static void Binary<TX, TY, TOut, TFunction>(ReadOnlySpan<TX> x, ReadOnlySpan<int> xShape, ReadOnlySpan<TY> y, ReadOnlySpan<int> yShape,
        Span<TOut> destination, ReadOnlySpan<int> shape) where TFunction : IElementFunction<TX, TY, TOut>
    {
        var rank = shape.Length;
        Span<int> xStrides = stackalloc int[rank], yStrides = stackalloc int[rank], index = stackalloc int[rank];
        BroadcastShapes.Strides(xShape, x.Length, shape, xStrides, "x");
        BroadcastShapes.Strides(yShape, y.Length, shape, yStrides, "y");
        index.Clear();
        int xi = 0, yi = 0;
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = TFunction.Apply(x[xi], y[yi]);
            for (var axis = rank - 1; axis >= 0; axis--)
            {
                xi += xStrides[axis];
                yi += yStrides[axis];
                if (++index[axis] < shape[axis]) break;
                xi -= xStrides[axis] * shape[axis];
                yi -= yStrides[axis] * shape[axis];
                index[axis] = 0;
            }
        }
    }

    /// <summary>destination = condition ? x : y, broadcasting all three to <paramref name="shape"/>.</summary>
    public static void Select<T>(ReadOnlySpan<bool> condition, ReadOnlySpan<int> conditionShape, ReadOnlySpan<T> x, ReadOnlySpan<int> xShape,
        ReadOnlySpan<T> y, ReadOnlySpan<int> yShape, Span<T> destination, ReadOnlySpan<int> shape)
    {
        var rank = shape.Length;
        Span<int> cStrides = stackalloc int[rank], xStrides = stackalloc int[rank], yStrides = stackalloc int[rank], index = stackalloc int[rank];
        BroadcastShapes.Strides(conditionShape, condition.Length, shape, cStrides, "condition");
        BroadcastShapes.Strides(xShape, x.Length, shape, xStrides, "x");
        BroadcastShapes.Strides(yShape, y.Length, shape, yStrides, "y");
        index.Clear();
        int ci = 0, xi = 0, yi = 0;
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = condition[ci] ? x[xi] : y[yi];
            for (var axis = rank - 1; axis >= 0; axis--)
            {
                ci += cStrides[axis];
                xi += xStrides[axis];
                yi += yStrides[axis];
                if (++index[axis] < shape[axis]) break;
                ci -= cStrides[axis] * shape[axis];
                xi -= xStrides[axis] * shape[axis];
                yi -= yStrides[axis] * shape[axis];
                index[axis] = 0;
            }
        }
    }
}
