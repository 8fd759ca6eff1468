using AttentionService.Core.Tensors;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// What an operator knows of one input when a plan is made for the graph's input shapes: its shape (null when an
/// optional input is absent) and, when the value is known before the run (a constant, a folded shape computation, a
/// graph input the plan is keyed on), the value itself.
/// </summary>
public readonly struct PlanInput(int[]? shape, TensorView value)
{
    /// <summary>The input's shape; null when the node leaves this optional input out.</summary>
    public int[]? Shape { get; } = shape;

    public bool IsPresent => Shape is not null;

    /// <summary>The value when known at plan time, else default (<see cref="IsKnown"/> false).</summary>
    public TensorView Value { get; } = value;

    public bool IsKnown => Value.Shape is not null;

    public int[] RequiredShape => Shape ?? throw new InvalidOperationException("the input is absent");
}
