namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// ONNX Trilu over a batch of [rows, columns] matrices: keeps the upper (column − row ≥ k) or lower (column − row ≤ k)
/// triangle and zeroes the rest. Each row is one contiguous kept part and one cleared part.
/// </summary>
public static class TriluKernel
{
    public static void Trilu<T>(ReadOnlySpan<T> x, int matrices, int rows, int columns, long k, bool upper, Span<T> destination)
    {
        var length = (long)matrices * rows * columns;
        if (x.Length != length)
            throw new ArgumentException($"x has {x.Length} elements, {matrices} matrices of [{rows}, {columns}] need {length}", nameof(x));
        if (destination.Length != x.Length)
            throw new ArgumentException($"destination has {destination.Length} elements, x has {x.Length}", nameof(destination));
        // Beyond ±(rows + columns) every k keeps all or nothing; clamping first keeps r + k from overflowing.
        k = Math.Clamp(k, -(long)rows - columns, (long)rows + columns);
        for (var m = 0; m < matrices; m++)
            for (var r = 0; r < rows; r++)
            {
                var at = (m * rows + r) * columns;
                var source = x.Slice(at, columns);
                var target = destination.Slice(at, columns);
                // The first column of the upper part, or one past the last column of the lower part, clamped to the row.
                var split = (int)Math.Clamp(upper ? r + k : r + k + 1, 0, columns);
                if (upper)
                {
                    target[..split].Clear();
                    source[split..].CopyTo(target[split..]);
                }
                else
                {
                    source[..split].CopyTo(target[..split]);
                    target[split..].Clear();
                }
            }
    }
}
