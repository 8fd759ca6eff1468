namespace AttentionService.Core.Tensors;

/// <summary>
/// A non-owning view of a dense tensor: a shape over the first <see cref="Length"/> elements of an array that someone
/// else owns (a <see cref="Tensor{T}"/>, a workspace, a model's initializer). It is never disposed, and is valid only
/// while its owner keeps the buffer.
/// </summary>
public readonly struct TensorView<T> where T : unmanaged
{
    private readonly T[] _buffer;

    public TensorView(T[] buffer, int length, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, buffer.Length);
        _buffer = buffer;
        Length = length;
        Shape = shape;
    }

    /// <summary>A view whose buffer and length were checked when the view it comes from was made.</summary>
    internal TensorView(T[] buffer, int length, int[] shape, bool _)
    {
        _buffer = buffer;
        Length = length;
        Shape = shape;
    }

    /// <summary>Dimensions, outermost first. Not to be written.</summary>
    public int[] Shape { get; }

    public int Length { get; }

    public int Rank => Shape.Length;

    public Span<T> Span => _buffer.AsSpan(0, Length);

    public Memory<T> Memory => _buffer.AsMemory(0, Length);

    /// <summary>The same elements under another shape of equal length.</summary>
    public TensorView<T> Reshape(params int[] shape)
    {
        var length = Tensor.ElementCount(shape);
        if (length != Length)
            throw new ArgumentException($"cannot view {Length} elements as {Tensor.ShapeText(shape)}", nameof(shape));
        return new TensorView<T>(_buffer, length, shape);
    }

    /// <summary>Whether the two views share any element (views start at their array's first element, so: the same array).</summary>
    public bool Overlaps(TensorView<T> other) => ReferenceEquals(_buffer, other._buffer) && Length > 0 && other.Length > 0;

    public static implicit operator TensorView(TensorView<T> view) => new(view._buffer, view.Length, view.Shape, TensorElementTypes.Of<T>());

    public override string ToString() => $"TensorView<{typeof(T).Name}>{Tensor.ShapeText(Shape)}";
}

/// <summary>
/// A non-owning view whose element type is known at run time: what crosses the backend contract, where one model's
/// inputs may mix float32, int64 and bool. <see cref="As{T}"/> recovers the typed view.
/// </summary>
public readonly struct TensorView
{
    private readonly Array _buffer;

    internal TensorView(Array buffer, int length, int[] shape, TensorElementType elementType)
    {
        _buffer = buffer;
        Length = length;
        Shape = shape;
        ElementType = elementType;
    }

    public TensorElementType ElementType { get; }

    /// <summary>Dimensions, outermost first. Not to be written.</summary>
    public int[] Shape { get; }

    public int Length { get; }

    public int Rank => Shape.Length;

    /// <summary>The typed view; throws when the elements are not <typeparamref name="T"/>.</summary>
    public TensorView<T> As<T>() where T : unmanaged => _buffer is T[] typed
        ? new TensorView<T>(typed, Length, Shape, true)
        : throw new InvalidCastException($"the tensor holds {ElementType}, not {TensorElementTypes.Of<T>()}");

    /// <summary>Whether the two views share any element (views start at their array's first element, so: the same array).</summary>
    public bool Overlaps(TensorView other) => ReferenceEquals(_buffer, other._buffer) && Length > 0 && other.Length > 0;

    /// <summary>Pins the elements until the handle is disposed, for native code that reads or writes them.</summary>
    public System.Buffers.MemoryHandle Pin() => ElementType switch
    {
        TensorElementType.Float32 => As<float>().Memory.Pin(),
        TensorElementType.Int64 => As<long>().Memory.Pin(),
        TensorElementType.Bool => As<bool>().Memory.Pin(),
        _ => throw new InvalidOperationException($"no element type {ElementType}"),
    };


    public override string ToString() => $"TensorView<{ElementType}>{Tensor.ShapeText(Shape)}";
}
