using AttentionService.Backends.Managed.Kernels;
using AttentionService.Backends.Managed.Operators;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;

namespace AttentionService.Backends.Managed.Execution;

/// <summary>
/// What one run needs besides the shared <see cref="ExecutionPlan"/>: a slot array of views and, for the input shapes
/// (and keyed input values) it was last planned for, every value's shape, the values the folded steps computed, and
/// the pooled buffers the run-time intermediates live in, which this workspace owns (intermediates whose lifetimes do
/// not overlap share one). A run on the same shapes reuses all of it and allocates nothing; other shapes re-plan. The
/// caller's inputs and outputs are seen only as views on the run's stack. Used by one run at a time.
/// </summary>
internal sealed class Workspace(ExecutionPlan plan) : IDisposable
{
    /// <summary>Views of the constants, the folded values and the intermediates in this workspace's buffers; caller slots stay empty.</summary>
    private readonly TensorView[] _slots = (TensorView[])plan.InitialSlots.Clone();
    private readonly int[]?[] _shapes = new int[]?[plan.SlotCount];
    /// <summary>The pooled buffer each run-time intermediate slot is a view of.</summary>
    private readonly Array?[] _slotBuffers = new Array?[plan.SlotCount];
    /// <summary>Every buffer rented for the current plan, returned to the pool on re-plan or dispose.</summary>
    private readonly List<Array> _buffers = [];

    /// <summary>Copies of the input shapes the workspace is planned for; null until planned (or after a failed plan).</summary>
    private int[][]? _plannedFor;
    /// <summary>Copies of the keyed inputs' values the workspace is planned for (null for the others).</summary>
    private long[]?[] _plannedKeys = new long[]?[plan.InputCount];

    /// <summary>Arguments of steps wider than the stack buffers (a GRU's six inputs); written per step, never held between runs.</summary>
    private readonly TensorView[] _wideInputs = new TensorView[plan.Steps.Max(s => (int?)s.InputSlots.Length) ?? 0];
    private readonly TensorView[] _wideOutputs = new TensorView[plan.Steps.Max(s => (int?)s.OutputSlots.Length) ?? 0];

    /// <summary>Whether the workspace is planned for these inputs. Reads only; safe on an idle workspace.</summary>
    public bool IsPlannedFor(ReadOnlySpan<TensorView> inputs)
    {
        var planned = _plannedFor;
        if (planned is null || planned.Length != inputs.Length) return false;
        for (var i = 0; i < planned.Length; i++)
        {
            if (!inputs[i].Shape.AsSpan().SequenceEqual(planned[i])) return false;
            if (_plannedKeys[i] is { } key && !inputs[i].As<long>().Span.SequenceEqual(key)) return false;
        }
        return true;
    }

    /// <summary>
    /// Infers every value's shape for <paramref name="inputs"/> (a shape a node cannot take throws its
    /// <see cref="ArgumentException"/>), runs the folded steps, and lays out the run-time intermediates' buffers.
    /// </summary>
    public void Plan(ReadOnlySpan<TensorView> inputs)
    {
        _plannedFor = null;
        ReleaseBuffers();
        var keys = new long[]?[plan.InputCount];
        for (var slot = 0; slot < _shapes.Length; slot++)
            _shapes[slot] = slot < plan.InputCount ? (int[])inputs[slot].Shape.Clone() : plan.InitialSlots[slot].Shape;
        var known = (TensorView[])plan.InitialSlots.Clone();
        for (var i = 0; i < plan.InputCount; i++)
        {
            if (!plan.KeyedInputs[i]) continue;
            keys[i] = inputs[i].As<long>().Span.ToArray();
            known[i] = new TensorView<long>(keys[i]!, keys[i]!.Length, _shapes[i]!);
        }

        var free = new List<Array>();
        foreach (var step in plan.Steps)
        {
            var op = step.Operator;
            var planInputs = new PlanInput[step.InputSlots.Length];
            for (var i = 0; i < planInputs.Length; i++)
                if (step.InputSlots[i] is var slot and >= 0) planInputs[i] = new PlanInput(_shapes[slot], known[slot]);
            var shapes = new int[step.OutputSlots.Length][];
            op.InferShapes(planInputs, shapes);
            for (var k = 0; k < shapes.Length; k++)
            {
                var slot = step.OutputSlots[k];
                _shapes[slot] = shapes[k] ?? throw new InvalidOperationException($"{op.OpType} node '{op.NodeName}' gave no shape for output {k}");
                var length = Tensor.ElementCount(shapes[k]);
                if (step.Folded)
                {
                    known[slot] = _slots[slot] = TypedArrays.View(TypedArrays.Allocate(plan.SlotTypes[slot], length), length, shapes[k]);
                }
                else if (plan.CallerIndex[slot] < 0)
                {
                    var buffer = TakeBuffer(free, plan.SlotTypes[slot], Math.Max(length, 1));
                    _slotBuffers[slot] = buffer;
                    _slots[slot] = TypedArrays.View(buffer, length, shapes[k]);
                }
            }
            if (step.Folded)
            {
                var values = new TensorView[step.InputSlots.Length];
                for (var i = 0; i < values.Length; i++)
                    if (step.InputSlots[i] is var slot and >= 0) values[i] = known[slot].Shape is not null ? known[slot] : ShapeOnly(slot);
                var outputs = step.OutputSlots.Select(slot => known[slot]).ToArray();
                op.Run(values, outputs);
            }
            foreach (var released in step.ReleaseAfter)
                if (_slotBuffers[released] is { } buffer) free.Add(buffer);
        }
        var plannedFor = new int[plan.InputCount][];
        for (var i = 0; i < plannedFor.Length; i++) plannedFor[i] = _shapes[i]!;
        _plannedKeys = keys;
        _plannedFor = plannedFor;
    }

    /// <summary>
    /// Runs the plan's run-time steps on <paramref name="inputs"/>, writing each output into the destination
    /// <paramref name="outputs"/> gives for its planned shape, checking <paramref name="cancellationToken"/> between nodes.
    /// </summary>
    public void Run(ReadOnlySpan<TensorView> inputs, RunOutputs outputs, CancellationToken cancellationToken)
    {
        var outputSlots = plan.OutputSlots;
        if (outputs.Count != outputSlots.Length)
            throw new ArgumentException(
                $"the model has {outputSlots.Length} outputs ({string.Join(", ", plan.OutputNames)}), the run was given {outputs.Count}", nameof(outputs));

        // The caller's tensors, on this run's stack: the workspace never holds them.
        var buffer = new CallerViews();
        var count = plan.InputCount + outputSlots.Length;
        Span<TensorView> caller = count <= CallerViews.Length ? ((Span<TensorView>)buffer)[..count] : new TensorView[count];
        // Element by element: a bulk copy of structs holding references goes through the runtime's native move.
        for (var i = 0; i < inputs.Length; i++) caller[i] = inputs[i];
        for (var o = 0; o < outputSlots.Length; o++)
            caller[plan.InputCount + o] = outputs.Destination(o, plan.OutputTypes[o], _shapes[outputSlots[o]]);
        OutputDestinations.CheckDistinct(inputs, caller[plan.InputCount..], plan.OutputNames);

        var slots = _slots;
        var callerIndex = plan.CallerIndex;
        foreach (var step in plan.RunSteps)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var inputViews = new StepInputs();
            var outputViews = new StepOutputs();
            var inputSlots = step.InputSlots;
            var stepOutputs = step.OutputSlots;
            Span<TensorView> stepIn = inputSlots.Length <= StepInputs.Length ? ((Span<TensorView>)inputViews)[..inputSlots.Length] : _wideInputs.AsSpan(0, inputSlots.Length);
            Span<TensorView> stepOut = stepOutputs.Length <= StepOutputs.Length ? ((Span<TensorView>)outputViews)[..stepOutputs.Length] : _wideOutputs.AsSpan(0, stepOutputs.Length);
            for (var i = 0; i < inputSlots.Length; i++)
            {
                var slot = inputSlots[i];
                if (slot >= 0) stepIn[i] = callerIndex[slot] is var c and >= 0 ? caller[c] : slots[slot];
            }
            for (var k = 0; k < stepOutputs.Length; k++)
            {
                var slot = stepOutputs[k];
                stepOut[k] = callerIndex[slot] is var d and >= 0 ? caller[d] : slots[slot];
            }
            step.Operator.Run(stepIn, stepOut);
            if (inputSlots.Length > StepInputs.Length) stepIn.Clear();
            if (stepOutputs.Length > StepOutputs.Length) stepOut.Clear();
        }
        for (var o = 0; o < outputSlots.Length; o++)
        {
            if (plan.WrittenDirectly[o]) continue;
            var slot = outputSlots[o];
            TypedArrays.Copy(callerIndex[slot] is var c and >= 0 ? caller[c] : slots[slot], caller[plan.InputCount + o]);
        }
    }

    /// <summary>Room for the caller's views of a typical model without a heap array.</summary>
    [System.Runtime.CompilerServices.InlineArray(Length)]
    private struct CallerViews
    {
        public const int Length = 12;

        private TensorView _first;
    }

    /// <summary>
    /// The tensors handed to one operator, held inline on the stack so a step allocates no argument array; short, since
    /// the buffer is cleared for every step and most operators read one to three tensors.
    /// </summary>
    [System.Runtime.CompilerServices.InlineArray(Length)]
    private struct StepInputs
    {
        public const int Length = 3;

        private TensorView _first;
    }

    [System.Runtime.CompilerServices.InlineArray(Length)]
    private struct StepOutputs
    {
        public const int Length = 1;

        private TensorView _first;
    }

    public void Dispose()
    {
        _plannedFor = null;
        ReleaseBuffers();
    }

    /// <summary>
    /// A folded step's input whose value is not known before the run (one the step reads only the shape of, like
    /// Shape's): its planned shape over no elements, so the operator can read the shape and nothing else.
    /// </summary>
    private TensorView ShapeOnly(int slot) => TypedArrays.View(TypedArrays.Allocate(plan.SlotTypes[slot], 0), 0, _shapes[slot]!);

    /// <summary>The smallest free buffer of <paramref name="type"/> that holds <paramref name="length"/> elements, else a new pooled one.</summary>
    private Array TakeBuffer(List<Array> free, TensorElementType type, int length)
    {
        var best = -1;
        for (var i = 0; i < free.Count; i++)
            if (free[i].Length >= length && TypedArrays.TypeOf(free[i]) == type && (best < 0 || free[i].Length < free[best].Length)) best = i;
        if (best < 0)
        {
            var rented = TypedArrays.Rent(type, length);
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
        {
            _slots[slot] = plan.InitialSlots[slot];
            _slotBuffers[slot] = null;
        }
        foreach (var buffer in _buffers) TypedArrays.Return(buffer);
        _buffers.Clear();
    }
}
