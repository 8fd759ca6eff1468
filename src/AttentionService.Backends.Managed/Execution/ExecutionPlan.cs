using AttentionService.Core.Tensors;

namespace AttentionService.Backends.Managed.Execution;

/// <summary>
/// A graph compiled for repeated execution: every value has an integer slot (graph inputs first, in signature order,
/// then constants, then node outputs) and an element type; steps are in topological order, the folded ones (shape
/// arithmetic, constants) run when a workspace is planned and the rest on every run. The plan is immutable so
/// concurrent runs share it, each in its own <see cref="Workspace"/>.
/// </summary>
internal sealed class ExecutionPlan
{
    public ExecutionPlan(TensorView[] initialSlots, TensorElementType[] slotTypes, int inputCount, bool[] keyedInputs,
        PlanStep[] steps, int[] outputSlots, string[] outputNames)
    {
        InitialSlots = initialSlots;
        SlotTypes = slotTypes;
        InputCount = inputCount;
        KeyedInputs = keyedInputs;
        Steps = steps;
        RunSteps = steps.Where(s => !s.Folded).ToArray();
        OutputSlots = outputSlots;
        OutputNames = outputNames;
        OutputTypes = outputSlots.Select(slot => slotTypes[slot]).ToArray();
        var runOutput = new bool[initialSlots.Length];
        foreach (var step in RunSteps)
            foreach (var slot in step.OutputSlots)
                runOutput[slot] = true;
        RunIntermediate = runOutput;
        WrittenDirectly = outputSlots.Select((slot, o) => runOutput[slot] && Array.IndexOf(outputSlots, slot) == o).ToArray();
        CallerIndex = Enumerable.Repeat(-1, initialSlots.Length).ToArray();
        for (var i = 0; i < inputCount; i++) CallerIndex[i] = i;
        for (var o = 0; o < outputSlots.Length; o++)
            if (WrittenDirectly[o]) CallerIndex[outputSlots[o]] = inputCount + o;
    }

    public int SlotCount => InitialSlots.Length;

    /// <summary>
    /// Per slot: views of the constants (initializers) in their slots, default elsewhere. The plan owns the constants'
    /// arrays (never pooled), so the views live as long as the plan.
    /// </summary>
    public TensorView[] InitialSlots { get; }

    public TensorElementType[] SlotTypes { get; }

    /// <summary>Graph inputs occupy slots 0 .. InputCount-1 in <c>ModelSignature.Inputs</c> order.</summary>
    public int InputCount { get; }

    /// <summary>
    /// Per graph input: whether a plan depends on its values, not only its shape (an INT64 input that feeds a shape or
    /// axes); a workspace is planned for those values and re-planned when they change.
    /// </summary>
    public bool[] KeyedInputs { get; }

    public PlanStep[] Steps { get; }

    /// <summary>The steps every run executes, in order: <see cref="Steps"/> without the folded ones.</summary>
    public PlanStep[] RunSteps { get; }

    /// <summary>The slot of each graph output, in <c>ModelSignature.Outputs</c> order.</summary>
    public int[] OutputSlots { get; }

    public string[] OutputNames { get; }

    public TensorElementType[] OutputTypes { get; }

    /// <summary>Per slot: whether a run step writes it (so a run's workspace holds it, or the caller's output does).</summary>
    public bool[] RunIntermediate { get; }

    /// <summary>
    /// Per output: whether the run step producing it writes straight into the caller's destination, true for a
    /// run-time value the first time it appears among the outputs. An input, a constant, a folded value or a repeated
    /// output is copied instead.
    /// </summary>
    public bool[] WrittenDirectly { get; }

    /// <summary>
    /// Per slot: where a run finds it among the caller's tensors (graph inputs first, then the outputs written
    /// directly), or -1 when the workspace or the plan holds it. The caller's views stay on the run's stack.
    /// </summary>
    public int[] CallerIndex { get; }
}
