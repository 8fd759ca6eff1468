using AttentionService.Core.Tensors;

namespace AttentionService.Core.Backends;

/// <summary>
/// Outputs rented from the shared pools as a backend asks for them, owned by whoever made this and returned on
/// <see cref="Dispose"/>. A second run into the same instance (a fallback after a failed run) reuses a destination
/// of the same shape and type, and re-rents any other.
/// </summary>
public sealed class RentedOutputs(int count) : RunOutputs, IDisposable
{
    private readonly IDisposable?[] _owners = new IDisposable?[count];
    private readonly TensorView[] _views = new TensorView[count];

    public override int Count => _owners.Length;

    /// <summary>Output <paramref name="output"/> as written by the run; throws when the run never asked for it.</summary>
    public TensorView this[int output] => _owners[output] is not null
        ? _views[output]
        : throw new InvalidOperationException($"output {output} was not produced");

    /// <summary>Output <paramref name="output"/> as float32.</summary>
    public TensorView<float> Float(int output) => this[output].As<float>();

    /// <summary>Whether the run produced output <paramref name="output"/>.</summary>
    public bool Has(int output) => _owners[output] is not null;

    public override TensorView Destination(int output, TensorElementType elementType, ReadOnlySpan<int> shape)
    {
        if (_owners[output] is not null)
        {
            if (_views[output].ElementType == elementType && _views[output].Shape.AsSpan().SequenceEqual(shape)) return _views[output];
            _owners[output]!.Dispose();
            _owners[output] = null;
        }
        var dimensions = shape.ToArray();
        (_owners[output], _views[output]) = elementType switch
        {
            TensorElementType.Float32 => Rent<float>(dimensions),
            TensorElementType.Int64 => Rent<long>(dimensions),
            TensorElementType.Bool => Rent<bool>(dimensions),
            _ => throw new ArgumentOutOfRangeException(nameof(elementType), elementType, null),
        };
        return _views[output];
    }

    public void Dispose()
    {
        for (var o = 0; o < _owners.Length; o++)
        {
            _owners[o]?.Dispose();
            _owners[o] = null;
            _views[o] = default;
        }
    }

    private static (IDisposable, TensorView) Rent<T>(int[] shape) where T : unmanaged
    {
        var tensor = Tensor.Rent<T>(shape);
        return (tensor, tensor);
    }
}
