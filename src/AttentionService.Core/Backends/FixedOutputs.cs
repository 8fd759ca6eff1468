using AttentionService.Core.Tensors;

namespace AttentionService.Core.Backends;

/// <summary>Destinations the caller sized in advance: a backend asking for another shape or type is refused.</summary>
public sealed class FixedOutputs(TensorView[] destinations, IReadOnlyList<string> names) : RunOutputs
{
    public override int Count => destinations.Length;

    public TensorView this[int output] => destinations[output];

    public override TensorView Destination(int output, TensorElementType elementType, ReadOnlySpan<int> shape)
    {
        OutputDestinations.CheckShape(destinations, output, names[output], shape);
        if (destinations[output].ElementType != elementType)
            throw new ArgumentException(
                $"output '{names[output]}' (index {output}) is a {destinations[output].ElementType} tensor, the run produces {elementType}", "outputs");
        return destinations[output];
    }
}
