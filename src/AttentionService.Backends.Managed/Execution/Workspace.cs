using System.Buffers;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;

namespace AttentionService.Backends.Managed.Execution;

/// <summary>
/// What one run needs besides the shared <see cref="ExecutionPlan"/>: a slot array of views and, for the input shapes
/// it was last planned for, every value's shape and the pooled buffers the intermediates live in, which this workspace
/// owns (intermediates whose lifetimes do not overlap share one). A run on the same shapes reuses all of it and
/// allocates nothing; other shapes re-plan. The caller's inputs and outputs are seen only as views on the run's stack.
/// Used by one run at a time.
/// </summary>
internal sealed class Workspace(ExecutionPlan plan) : IDisposable
{
    /// <summary>Views of the constants and of the intermediates in this workspace's buffers; caller slots stay empty.</summary>
    private readonly TensorView<float>[] _slots = (TensorView<float>[])plan.InitialSlots.Clone();
    private readonly int[]?[] _shapes = new int[]?[plan.SlotCount];
    /// <summary>The owned buffer each intermediate slot is a view of.</summary>
    private readonly float[]?[] _slotBuffers = new float[]?[plan.SlotCount];
    /// <summary>Every buffer rented for the current plan, returned to the pool on re-plan or dispose.</summary>
    private readonly List<float[]> _buffers = [];

    /// <summary>Copies of the input shapes the workspace is planned for; null until planned (or after a failed plan).</summary>
    private int[][]? _plannedFor;

    /// <summary>Whether the workspace is planned for inputs of these shapes. Reads only; safe on an idle workspace.</summary>
    public bool IsPlannedFor(ReadOnlySpan<TensorView> inputs)
    {
        var planned = _plannedFor;
        if (planned is null || planned.Length != inputs.Length) return false;
        for (var i = 0; i < planned.Length; i++)
            if (!inputs[i].Shape.AsSpan().SequenceEqual(planned[i])) return false;
        return true;
    }

    /// <summary>
    /// Infers every value's shape for <paramref name="inputs"/> (a shape a node cannot take throws its
    /// <see cref="ArgumentException"/>) and lays out the intermediates' buffers.
    /// </summary>
    public void Plan(ReadOnlySpan<TensorView> inputs)
    {
        _plannedFor = null;
        ReleaseBuffers();
        for (var slot = 0; slot < _shapes.Length; slot++)
            _shapes[slot] = slot < plan.InputCount ? (int[])inputs[slot].Shape.Clone() : plan.InitialSlots[slot].Shape;

        var free = new List<float[]>();
        var arguments = new int[PlanCompiler.MaxArity][];
        foreach (var step in plan.Steps)
        {
            for (var i = 0; i < step.InputSlots.Length; i++) arguments[i] = _shapes[step.InputSlots[i]]!;
            var shape = step.Operator.OutputShape(arguments.AsSpan(0, step.InputSlots.Length));
            _shapes[step.OutputSlot] = shape;
            if (Array.IndexOf(plan.OutputSlots, step.OutputSlot) < 0)
            {
                var length = Tensor.ElementCount(shape);
                var buffer = TakeBuffer(free, Math.Max(length, 1));
                _slotBuffers[step.OutputSlot] = buffer;
                _slots[step.OutputSlot] = new TensorView<float>(buffer, length, shape);
            }
            foreach (var released in step.ReleaseAfter)
                free.Add(_slotBuffers[released]!);
        }
        var plannedFor = new int[plan.InputCount][];
        for (var i = 0; i < plannedFor.Length; i++) plannedFor[i] = _shapes[i]!;
        _plannedFor = plannedFor;
    }

    /// <summary>
    /// Runs the plan on <paramref name="inputs"/> into <paramref name="outputs"/>, which must have the planned shapes
    /// (checked here), checking <paramref name="cancellationToken"/> between nodes.
    /// </summary>
    public void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs, CancellationToken cancellationToken)
    {
        var outputSlots = plan.OutputSlots;
        OutputDestinations.CheckCount(outputs, plan.OutputNames);
        for (var o = 0; o < outputSlots.Length; o++)
            OutputDestinations.CheckShape(outputs, o, plan.OutputNames[o], _shapes[outputSlots[o]]!);
        OutputDestinations.CheckDistinct(inputs, outputs, plan.OutputNames);

        // The caller's tensors as float views, on this run's stack: the workspace never holds them.
        var buffer = new CallerViews();
        var count = plan.InputCount + outputs.Length;
        Span<TensorView<float>> caller = count <= CallerViews.Length ? ((Span<TensorView<float>>)buffer)[..count] : new TensorView<float>[count];
        for (var i = 0; i < plan.InputCount; i++) caller[i] = inputs[i].As<float>();
        for (var o = 0; o < outputs.Length; o++) caller[plan.InputCount + o] = outputs[o].As<float>();

        var slots = _slots;
        var callerIndex = plan.CallerIndex;
        foreach (var step in plan.Steps)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var arguments = new OperatorArguments();
            Span<TensorView<float>> span = arguments;
            var inputSlots = step.InputSlots;
            for (var i = 0; i < inputSlots.Length; i++)
            {
                var slot = inputSlots[i];
                span[i] = callerIndex[slot] is var c and >= 0 ? caller[c] : slots[slot];
            }
            var output = step.OutputSlot;
            step.Operator.RunInto(span[..inputSlots.Length], callerIndex[output] is var d and >= 0 ? caller[d] : slots[output]);
        }
        for (var o = 0; o < outputSlots.Length; o++)
        {
            if (plan.WrittenDirectly[o]) continue;
            var slot = outputSlots[o];
            var source = callerIndex[slot] is var c and >= 0 ? caller[c] : slots[slot];
            source.Span.CopyTo(caller[plan.InputCount + o].Span);
        }
    }

    /// <summary>Room for the caller's views of a typical model (four inputs, two outputs) without a heap array.</summary>
    [System.Runtime.CompilerServices.InlineArray(Length)]
    private struct CallerViews
    {
        public const int Length = 8;

        private TensorView<float> _first;
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
        // Views first, so no slot refers to a buffer after it went back to the pool.
        for (var slot = plan.InputCount; slot < _slots.Length; slot++)
            if (plan.Intermediate[slot])
            {
                _slots[slot] = default;
                _slotBuffers[slot] = null;
            }
        foreach (var buffer in _buffers) ArrayPool<float>.Shared.Return(buffer);
        _buffers.Clear();
    }
}
