using System.Buffers;

namespace AttentionService.Core.Tensors;

/// <summary>Creates owning tensors (<see cref="Tensor{T}"/>) and computes element counts.</summary>
public static class Tensor
{
    /// <summary>A tensor over a buffer rented from the shared pool whose contents are unspecified: the caller writes every element.</summary>
    public static Tensor<T> Rent<T>(params int[] shape) where T : unmanaged
    {
        var length = ElementCount(shape);
        return new Tensor<T>(TensorPool<T>.Shared.Rent(Math.Max(length, 1)), shape, length, pooled: true);
    }

    /// <summary>Takes ownership of <paramref name="rented"/>, an array rented from the shared pool, returning it on dispose.</summary>
    public static Tensor<T> AdoptPooled<T>(T[] rented, params int[] shape) where T : unmanaged
    {
        var length = ElementCount(shape);
        if (rented.Length < length)
            throw new ArgumentException($"buffer has {rented.Length} elements, shape [{string.Join(", ", shape)}] needs {length}", nameof(rented));
        return new Tensor<T>(rented, shape, length, pooled: true);
    }

    /// <summary>A tensor over <paramref name="data"/>, which it now owns (no copy); nothing is returned to a pool.</summary>
    public static Tensor<T> Wrap<T>(T[] data, params int[] shape) where T : unmanaged
    {
        var length = ElementCount(shape);
        if (data.Length != length)
            throw new ArgumentException($"data has {data.Length} elements, shape [{string.Join(", ", shape)}] needs {length}", nameof(data));
        return new Tensor<T>(data, shape, length, pooled: false);
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

    /// <summary>A shape as text, e.g. <c>[2, 3]</c>.</summary>
    public static string ShapeText(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";
}

/// <summary>
/// A dense tensor that owns its buffer: a shape and a row-major contiguous array, usually rented from the shared
/// <see cref="ArrayPool{T}"/> so that steady-state inference allocates no large arrays. Whoever creates it disposes it
/// once; everything else sees it through a non-owning <see cref="TensorView{T}"/> (<see cref="View"/>,
/// <see cref="Reshape"/>), which must not outlive it.
/// </summary>
public sealed class Tensor<T> : IDisposable where T : unmanaged
{
    private T[]? _buffer;
    private readonly bool _pooled;

    internal Tensor(T[] buffer, int[] shape, int length, bool pooled)
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

    public TensorElementType ElementType => TensorElementTypes.Of<T>();

    public Span<T> Span => Buffer.AsSpan(0, Length);

    public Memory<T> Memory => Buffer.AsMemory(0, Length);

    /// <summary>A non-owning view of the whole tensor.</summary>
    public TensorView<T> View => new(Buffer, Length, Shape);

    /// <summary>A non-owning view of the same elements under another shape of equal length.</summary>
    public TensorView<T> Reshape(params int[] shape) => View.Reshape(shape);

    /// <summary>
    /// Moves the buffer into a new owning tensor of another shape with the same element count; this one is left
    /// disposed (a flat array sent with its shape becomes the tensor without a copy).
    /// </summary>
    public Tensor<T> MoveTo(params int[] shape)
    {
        var length = Tensor.ElementCount(shape);
        if (length != Length)
            throw new ArgumentException($"shape {Tensor.ShapeText(shape)} has {length} elements, the tensor {Length}", nameof(shape));
        var buffer = Interlocked.Exchange(ref _buffer, null) ?? throw new ObjectDisposedException(nameof(Tensor<T>));
        return new Tensor<T>(buffer, shape, length, _pooled);
    }

    private T[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(Tensor<T>));

    public static implicit operator TensorView<T>(Tensor<T> tensor) => tensor.View;

    public static implicit operator TensorView(Tensor<T> tensor) => tensor.View;

    public override string ToString() => $"Tensor<{typeof(T).Name}>{Tensor.ShapeText(Shape)}";

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null && _pooled)
            TensorPool<T>.Shared.Return(buffer);
    }
}
