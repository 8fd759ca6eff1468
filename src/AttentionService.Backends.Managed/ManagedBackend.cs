using AttentionService.Backends.Managed.Execution;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;

namespace AttentionService.Backends.Managed;

/// <summary>
/// A model executed by managed kernels. The compiled plan and the initializer tensors are shared by all runs; each
/// run has its own slot array, disposes every intermediate as soon as its last reader has run, checks for
/// cancellation between nodes, and never disposes or writes the caller's inputs.
/// </summary>
public sealed class ManagedBackend : IModelBackend
{
    private readonly ExecutionPlan _plan;
    private volatile bool _disposed;

    /// <summary>A slot array a finished run handed back, so back-to-back runs allocate none; concurrent runs may make their own.</summary>
    private Tensor?[]? _spareSlots;

    internal ManagedBackend(ExecutionPlan plan) => _plan = plan;

    public BackendKind Kind => BackendKind.Managed;

    public string Description { get; } = "managed C# kernels, " + (System.Runtime.Intrinsics.X86.Avx512F.IsSupported
        ? "AVX-512 matrix multiply and softmax"
        : $"{System.Numerics.Vector<float>.Count * 32}-bit vectors");

    /// <summary>How many nodes the plan runs (after folding Transposes into MatMuls).</summary>
    public int StepCount => _plan.Steps.Length;

    public Tensor[] Run(IReadOnlyList<Tensor> inputs, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (inputs.Count != _plan.InputCount)
            throw new ArgumentException($"the model takes {_plan.InputCount} inputs, got {inputs.Count}", nameof(inputs));

        var slots = Interlocked.Exchange(ref _spareSlots, null) ?? new Tensor?[_plan.SlotCount];
        _plan.InitialSlots.CopyTo(slots, 0);
        for (var i = 0; i < inputs.Count; i++)
            slots[i] = inputs[i];
        Tensor[]? outputs = null;
        try
        {
            foreach (var step in _plan.Steps)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var arguments = new OperatorArguments();
                Span<Tensor> span = arguments;
                var inputSlots = step.InputSlots;
                for (var i = 0; i < inputSlots.Length; i++)
                    span[i] = slots[inputSlots[i]]!;
                slots[step.OutputSlot] = step.Operator.Run(span[..inputSlots.Length]);
                foreach (var slot in step.ReleaseAfter)
                {
                    slots[slot]!.Dispose();
                    slots[slot] = null;
                }
            }
            outputs = new Tensor[_plan.OutputSlots.Length];
            for (var o = 0; o < outputs.Length; o++)
                outputs[o] = TakeOutput(slots, o, outputs);
            Array.Clear(slots);
            Volatile.Write(ref _spareSlots, slots);
            return outputs;
        }
        catch
        {
            if (outputs is not null)
                foreach (var output in outputs) output?.Dispose();
            for (var slot = 0; slot < slots.Length; slot++)
                if (_plan.Intermediate[slot]) slots[slot]?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Hands the caller an output it owns: an intermediate is moved out of its slot; an input, a constant, or an
    /// intermediate already handed out for an earlier output is copied.
    /// </summary>
    private Tensor TakeOutput(Tensor?[] slots, int index, Tensor[] taken)
    {
        var slot = _plan.OutputSlots[index];
        if (_plan.Intermediate[slot] && slots[slot] is { } owned)
        {
            slots[slot] = null;
            return owned;
        }
        var source = slots[slot];
        for (var earlier = 0; source is null && earlier < index; earlier++)
            if (_plan.OutputSlots[earlier] == slot) source = taken[earlier];
        var copy = Tensor.Rent((int[])source!.Shape.Clone());
        source.Span.CopyTo(copy.Span);
        return copy;
    }

    public void Dispose() => _disposed = true;
}
