using AttentionService.Core.Tensors;

namespace AttentionService.Core.Backends;

/// <summary>
/// Where a run writes its outputs. A backend asks for output <c>o</c>'s destination once it knows the output's shape
/// (before it runs, when the plan or the signature says; after, when only the run can tell), so models whose output
/// shapes no signature can state are served as well as those it can. Asking again for the same output returns the same
/// destination when the shape is unchanged.
/// </summary>
public abstract class RunOutputs
{
    /// <summary>How many outputs the run writes.</summary>
    public abstract int Count { get; }

    /// <summary>
    /// The destination of output <paramref name="output"/>, of element type <paramref name="elementType"/> and
    /// shape <paramref name="shape"/>, which the backend then writes fully. Throws <see cref="ArgumentException"/>
    /// when this sink cannot take that shape.
    /// </summary>
    public abstract TensorView Destination(int output, TensorElementType elementType, ReadOnlySpan<int> shape);
}
