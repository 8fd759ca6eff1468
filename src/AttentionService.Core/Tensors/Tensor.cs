using System.Buffers;

namespace AttentionService.Core.Tensors;

/// <summary>
/// A dense float32 tensor: a shape and a row-major contiguous buffer. Buffers are rented from the shared
/// <see cref="ArrayPool{T}"/> so that steady-state inference allocates no large arrays; whoever creates a tensor
/// owns it and disposes it once.
/// </summary>
public sealed class Tensor : IDisposable
{
    private float[]? _buffer;
    private readonly bool _pooled;

    private Tensor(float[] buffer, int[] shape, int length, bool pooled)
    {
        _buffer = buffer;
        Shape = shape;
        Length = length;
        _pooled = pooled;
    }

    /// <summary>Dimensions, outermost first.</summary>
    public int[] Shape { get; }

    /// <summary>Number of elements (the product of <see cref="Shape"/>).</summary>
    public int Length { get; }

    public int Rank => Shape.Length;

    public Span<float> Span => Buffer.AsSpan(0, Length);

    public Memory<float> Memory => Buffer.AsMemory(0, Length);

    /// <summary>The backing array; may be longer than <see cref="Length"/> when pooled.</summary>
    public float[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(Tensor));

    /// <summary>A tensor over a pooled buffer whose contents are unspecified: the caller writes every element.</summary>
    public static Tensor Rent(params int[] shape)
    {
        var length = ElementCount(shape);
        return new Tensor(ArrayPool<float>.Shared.Rent(Math.Max(length, 1)), shape, length, pooled: true);
    }

    /// <summary>Takes ownership of <paramref name="rented"/>, an array rented from the shared pool, returning it on dispose.</summary>
    public static Tensor AdoptPooled(float[] rented, params int[] shape)
    {
        var length = ElementCount(shape);
        if (rented.Length < length)
            throw new ArgumentException($"buffer has {rented.Length} elements, shape [{string.Join(", ", shape)}] needs {length}");
        return new Tensor(rented, shape, length, pooled: true);
    }

    /// <summary>A tensor that wraps <paramref name="data"/> without copying it.</summary>
    public static Tensor Wrap(float[] data, params int[] shape)
    {
        var length = ElementCount(shape);
        if (data.Length != length)
            throw new ArgumentException($"data has {data.Length} elements, shape [{string.Join(", ", shape)}] needs {length}");
        return new Tensor(data, shape, length, pooled: false);
    }

    /// <summary>
    /// A view of the same elements under another shape of equal length. The view does not own the buffer: this tensor
    /// must outlive it, and disposing the view does nothing.
    /// </summary>
    public Tensor Reshape(params int[] shape)
    {
        var length = ElementCount(shape);
        if (length != Length)
            throw new ArgumentException($"cannot view {Length} elements as [{string.Join(", ", shape)}]");
        return new Tensor(Buffer, shape, length, pooled: false);
    }

    /// <summary>The product of the dimensions; throws when a dimension is negative or the product overflows.</summary>
    public static int ElementCount(ReadOnlySpan<int> shape)
    {
        var count = 1;
        foreach (var d in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d);
            count = checked(count * d);
        }
        return count;
    }

    public override string ToString() => $"Tensor[{string.Join(", ", Shape)}]";

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null && _pooled)
            ArrayPool<float>.Shared.Return(buffer);
    }
}
