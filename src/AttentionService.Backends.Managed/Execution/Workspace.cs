using System.Buffers;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;

namespace AttentionService.Backends.Managed.Execution;

/// <summary>
/// What one run needs besides the shared <see cref="ExecutionPlan"/>: a slot array and, for the input shapes it was
/// last planned for, every value's shape and a tensor for each intermediate. A run on the same shapes reuses all of
/// it and allocates nothing; other shapes re-plan. Intermediates whose lifetimes do not overlap share one pooled
/// buffer. Used by one run at a time.
/// </summary>
internal sealed class Workspace(ExecutionPlan plan) : IDisposable
{
    private readonly Tensor?[] _slots = (Tensor?[])plan.InitialSlots.Clone();
    private readonly int[]?[] _shapes = new int[]?[plan.SlotCount];
    private readonly List<float[]> _buffers = [];

    /// <summary>Copies of the input shapes the workspace is planned for; null until planned (or after a failed plan).</summary>
    private int[][]? _plannedFor;

    /// <summary>Whether the workspace is planned for inputs of these shapes. Reads only; safe on an idle workspace.</summary>
    public bool IsPlannedFor(IReadOnlyList<Tensor> inputs)
    {
        var planned = _plannedFor;
        if (planned is null) return false;
        for (var i = 0; i < planned.Length; i++)
            if (!inputs[i].Shape.AsSpan().SequenceEqual(planned[i])) return false;
        return true;
    }

    /// <summary>The shape output <paramref name="index"/> has on the planned shapes.</summary>
    public int[] OutputShape(int index) => _shapes[plan.OutputSlots[index]]!;

    /// <summary>
    /// Infers every value's shape for <paramref name="inputs"/> (a shape a node cannot take throws its
    /// <see cref="ArgumentException"/>) and lays out the intermediates' buffers.
    /// </summary>
    public void Plan(IReadOnlyList<Tensor> inputs)
    {
        _plannedFor = null;
        ReleaseBuffers();
        for (var slot = 0; slot < _shapes.Length; slot++)
            _shapes[slot] = slot < plan.InputCount ? (int[])inputs[slot].Shape.Clone() : plan.InitialSlots[slot]?.Shape;

        var free = new List<float[]>();
        var arguments = new int[PlanCompiler.MaxArity][];
        foreach (var step in plan.Steps)
        {
            for (var i = 0; i < step.InputSlots.Length; i++) arguments[i] = _shapes[step.InputSlots[i]]!;
            var shape = step.Operator.OutputShape(arguments.AsSpan(0, step.InputSlots.Length));
            _shapes[step.OutputSlot] = shape;
            if (Array.IndexOf(plan.OutputSlots, step.OutputSlot) < 0)
            {
                var buffer = TakeBuffer(free, Math.Max(Tensor.ElementCount(shape), 1));
                // A view, never disposed: the workspace returns the shared buffers itself.
                _slots[step.OutputSlot] = Tensor.AdoptPooled(buffer, shape);
            }
            foreach (var released in step.ReleaseAfter)
                free.Add(_slots[released]!.Buffer);
        }
        var plannedFor = new int[plan.InputCount][];
        for (var i = 0; i < plannedFor.Length; i++) plannedFor[i] = _shapes[i]!;
        _plannedFor = plannedFor;
    }

    /// <summary>
    /// Runs the plan on <paramref name="inputs"/> into <paramref name="outputs"/>, which must have the planned shapes
    /// (checked here), checking <paramref name="cancellationToken"/> between nodes.
    /// </summary>
    public void Run(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, CancellationToken cancellationToken)
    {
        var outputSlots = plan.OutputSlots;
        OutputDestinations.CheckCount(outputs, plan.OutputNames);
        for (var o = 0; o < outputSlots.Length; o++)
            OutputDestinations.CheckShape(outputs, o, plan.OutputNames[o], _shapes[outputSlots[o]]!);
        OutputDestinations.CheckDistinct(inputs, outputs, plan.OutputNames);

        var slots = _slots;
        try
        {
            for (var i = 0; i < plan.InputCount; i++) slots[i] = inputs[i];
            for (var o = 0; o < outputSlots.Length; o++)
                if (plan.WrittenDirectly[o]) slots[outputSlots[o]] = outputs[o];
            foreach (var step in plan.Steps)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var arguments = new OperatorArguments();
                Span<Tensor> span = arguments;
                var inputSlots = step.InputSlots;
                for (var i = 0; i < inputSlots.Length; i++)
                    span[i] = slots[inputSlots[i]]!;
                step.Operator.RunInto(span[..inputSlots.Length], slots[step.OutputSlot]!);
            }
            for (var o = 0; o < outputSlots.Length; o++)
                if (!plan.WrittenDirectly[o]) slots[outputSlots[o]]!.Span.CopyTo(outputs[o].Span);
        }
        finally
        {
            // The caller's tensors are not kept past the run.
            for (var i = 0; i < plan.InputCount; i++) slots[i] = null;
            for (var o = 0; o < outputSlots.Length; o++)
                if (plan.WrittenDirectly[o]) slots[outputSlots[o]] = null;
        }
    }

    public void Dispose()
    {
        _plannedFor = null;
        ReleaseBuffers();
    }

    /// <summary>The smallest free buffer that holds <paramref name="length"/> floats, else a new pooled one.</summary>
    private float[] TakeBuffer(List<float[]> free, int length)
    {
        var best = -1;
        for (var i = 0; i < free.Count; i++)
            if (free[i].Length >= length && (best < 0 || free[i].Length < free[best].Length)) best = i;
        if (best < 0)
        {
            var rented = ArrayPool<float>.Shared.Rent(length);
            _buffers.Add(rented);
            return rented;
        }
        var buffer = free[best];
        free.RemoveAt(best);
        return buffer;
    }

    private void ReleaseBuffers()
    {
        foreach (var buffer in _buffers) ArrayPool<float>.Shared.Return(buffer);
        _buffers.Clear();
        for (var slot = plan.InputCount; slot < _slots.Length; slot++)
            if (plan.Intermediate[slot]) _slots[slot] = null;
    }
}
