using System.Collections.Concurrent;
using System.Text;
using AttentionService.Backends.Managed.Execution;
using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;

namespace AttentionService.Backends.Managed;

/// <summary>
/// A model executed by managed kernels. The compiled plan and the initializer tensors are shared by all runs; each
/// run takes a <see cref="Workspace"/> of its own (preferring one already planned for its input shapes), checks for
/// cancellation between nodes, never disposes or writes the caller's inputs, and hands the workspace back, so
/// steady-state runs into caller-owned outputs allocate nothing.
/// </summary>
public sealed class ManagedBackend : IModelBackend, IMemoryEstimator, ITrimmable
{
    /// <summary>Footprints measured, by input shapes (and keyed values) and limit; emptied when it reaches this many.</summary>
    private const int MaxFootprints = 256;

    private readonly ConcurrentDictionary<string, RunFootprint> _footprints = new(StringComparer.Ordinal);
    private readonly ExecutionPlan _plan;
    private volatile bool _disposed;

    /// <summary>Idle workspaces; runs beyond this many at once make their own and drop them afterwards.</summary>
    private readonly IdlePool<Workspace> _idle = new(Math.Max(4, 2 * Environment.ProcessorCount));

    internal ManagedBackend(ExecutionPlan plan, ModelSignature signature)
    {
        _plan = plan;
        Signature = signature;
    }

    public BackendKind Kind => BackendKind.Managed;

    public ModelSignature Signature { get; }

    public string Description { get; } = "managed C# kernels, " + Kernels.VectorDispatch.Description;

    /// <summary>How many nodes every run executes (after fusions, without the steps folded when a plan is made).</summary>
    public int StepCount => _plan.RunSteps.Length;

    public void Run(ReadOnlySpan<TensorView> inputs, RunOutputs outputs, CancellationToken cancellationToken)
    {
        var workspace = Acquire(inputs);
        try
        {
            workspace.Run(inputs, outputs, cancellationToken);
        }
        finally
        {
            Release(workspace);
        }
    }

    public RunFootprint Estimate(ReadOnlySpan<TensorView> inputs, long elementLimit)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckInputs(inputs);
        var key = FootprintKey(inputs, elementLimit);
        if (_footprints.TryGetValue(key, out var known)) return known;
        var footprint = FootprintPlanner.Measure(_plan, inputs, elementLimit);
        if (_footprints.Count >= MaxFootprints) _footprints.Clear();
        _footprints[key] = footprint;
        return footprint;
    }

    /// <summary>Drops the idle workspaces, and with them the pooled intermediates they were planned with.</summary>
    public void Trim() => _idle.Clear();

    private string FootprintKey(ReadOnlySpan<TensorView> inputs, long elementLimit)
    {
        var key = new StringBuilder().Append(elementLimit);
        for (var i = 0; i < inputs.Length; i++)
        {
            key.Append('|');
            foreach (var d in inputs[i].Shape) key.Append(d).Append(',');
            if (_plan.KeyedInputs[i])
                foreach (var value in inputs[i].As<long>().Span) key.Append(':').Append(value);
        }
        return key.ToString();
    }

    public void Dispose()
    {
        _disposed = true;
        _idle.Dispose();
    }

    /// <summary>An idle workspace planned for these input shapes, else any idle one re-planned, else a new one.</summary>
    private Workspace Acquire(ReadOnlySpan<TensorView> inputs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckInputs(inputs);
        var workspace = _idle.Take(static (idle, shapes) => idle.IsPlannedFor(shapes), inputs);
        if (workspace is not null && workspace.IsPlannedFor(inputs)) return workspace;
        return Planned(workspace ?? new Workspace(_plan), inputs);
    }

    private void CheckInputs(ReadOnlySpan<TensorView> inputs)
    {
        if (inputs.Length != _plan.InputCount)
            throw new ArgumentException($"the model takes {_plan.InputCount} inputs, got {inputs.Length}", nameof(inputs));
        for (var i = 0; i < inputs.Length; i++)
            if (inputs[i].ElementType != _plan.SlotTypes[i])
                throw new ArgumentException($"input {i} ('{Signature.Inputs[i].Name}') must be {_plan.SlotTypes[i]}, got {inputs[i].ElementType}", nameof(inputs));
    }

    private Workspace Planned(Workspace workspace, ReadOnlySpan<TensorView> inputs)
    {
        try
        {
            workspace.Plan(inputs);
            return workspace;
        }
        catch
        {
            Release(workspace);
            throw;
        }
    }

    private void Release(Workspace workspace) => _idle.Return(workspace);
}
