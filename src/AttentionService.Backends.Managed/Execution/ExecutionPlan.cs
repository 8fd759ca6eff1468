using AttentionService.Core.Tensors;

namespace AttentionService.Backends.Managed.Execution;

/// <summary>
/// A graph compiled for repeated execution: every value has an integer slot (graph inputs first, in signature order,
/// then initializers, then node outputs), steps are in topological order, and the plan is immutable so concurrent
/// runs share it, each in its own <see cref="Workspace"/>.
/// </summary>
internal sealed class ExecutionPlan(
    int slotCount, TensorView<float>[] initialSlots, int inputCount, PlanStep[] steps, int[] outputSlots, string[] outputNames, bool[] intermediate)
{
    public int SlotCount { get; } = slotCount;

    /// <summary>
    /// Length <see cref="SlotCount"/>: views of the constant (initializer) tensors in their slots, empty elsewhere. The
    /// plan owns the constants' arrays (never pooled), so the views live as long as the plan.
    /// </summary>
    public TensorView<float>[] InitialSlots { get; } = initialSlots;

    /// <summary>Graph inputs occupy slots 0 .. InputCount-1 in <c>ModelSignature.Inputs</c> order.</summary>
    public int InputCount { get; } = inputCount;

    public PlanStep[] Steps { get; } = steps;

    /// <summary>The slot of each graph output, in <c>ModelSignature.Outputs</c> order.</summary>
    public int[] OutputSlots { get; } = outputSlots;

    /// <summary>The graph output names, in <c>ModelSignature.Outputs</c> order.</summary>
    public string[] OutputNames { get; } = outputNames;

    /// <summary>
    /// Per output: whether the node producing it writes straight into the caller's tensor, true for an intermediate
    /// the first time it appears among the outputs. An input, a constant, or a repeated output is copied instead.
    /// </summary>
    public bool[] WrittenDirectly { get; } = outputSlots.Select((slot, o) => intermediate[slot] && Array.IndexOf(outputSlots, slot) == o).ToArray();

    /// <summary>Whether a slot holds a tensor the run creates (and so must dispose or hand out), not an input or constant.</summary>
    public bool[] Intermediate { get; } = intermediate;

    /// <summary>
    /// Per slot: where a run finds it among the caller's tensors (graph inputs first, then the outputs written
    /// directly), or -1 when the workspace or the plan holds it. The caller's views are kept on the run's stack, never
    /// stored in the workspace.
    /// </summary>
    public int[] CallerIndex { get; } = CallerIndices(slotCount, inputCount, outputSlots, intermediate);

    private static int[] CallerIndices(int slotCount, int inputCount, int[] outputSlots, bool[] intermediate)
    {
        var index = Enumerable.Repeat(-1, slotCount).ToArray();
        for (var i = 0; i < inputCount; i++) index[i] = i;
        for (var o = 0; o < outputSlots.Length; o++)
            if (intermediate[outputSlots[o]] && Array.IndexOf(outputSlots, outputSlots[o]) == o) index[outputSlots[o]] = inputCount + o;
        return index;
    }
}
