using System.Numerics;
using AttentionService.Backends.Managed.Kernels;
using AttentionService.Backends.Managed.Operators;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;

namespace AttentionService.Backends.Managed.Execution;

/// <summary>
/// What <see cref="Workspace.Plan"/> would lay out for given inputs, without renting a buffer: every value's shape
/// (the folded steps run, as they must for later shapes, but only on values within the element limit), the outputs,
/// and the bytes of the intermediates' pooled buffers, reused as the workspace reuses them once a value is dead.
/// </summary>
internal static class FootprintPlanner
{
    public static RunFootprint Measure(ExecutionPlan plan, ReadOnlySpan<TensorView> inputs, long elementLimit)
    {
        var shapes = new int[]?[plan.SlotCount];
        var known = (TensorView[])plan.InitialSlots.Clone();
        for (var slot = 0; slot < shapes.Length; slot++)
            shapes[slot] = slot < plan.InputCount ? inputs[slot].Shape : plan.InitialSlots[slot].Shape;
        for (var i = 0; i < plan.InputCount; i++)
            if (plan.KeyedInputs[i]) known[i] = inputs[i];

        var outputOf = new int[plan.SlotCount];
        Array.Fill(outputOf, -1);
        for (var o = plan.OutputSlots.Length - 1; o >= 0; o--) outputOf[plan.OutputSlots[o]] = o;

        var free = new List<(TensorElementType Type, long Capacity)>();
        var bufferOf = new (TensorElementType Type, long Capacity)?[plan.SlotCount];
        long bytes = 0;
        TensorSize? largest = null;
        foreach (var step in plan.Steps)
        {
            var op = step.Operator;
            var planInputs = new PlanInput[step.InputSlots.Length];
            for (var i = 0; i < planInputs.Length; i++)
                if (step.InputSlots[i] is var slot and >= 0) planInputs[i] = new PlanInput(shapes[slot], known[slot]);
            var stepShapes = new int[step.OutputSlots.Length][];
            try
            {
                op.InferShapes(planInputs, stepShapes);
            }
            catch (OverflowException)
            {
                // A shape of more than int.MaxValue elements: above any limit, and no buffer could hold it.
                return Stopped(plan, shapes, new TensorSize(ValueName(op, 0), long.MaxValue, long.MaxValue), outputOf, step.OutputSlots[0], bytes);
            }
            for (var k = 0; k < stepShapes.Length; k++)
            {
                var slot = step.OutputSlots[k];
                var shape = shapes[slot] = stepShapes[k] ?? throw new InvalidOperationException($"{op.OpType} node '{op.NodeName}' gave no shape for output {k}");
                var type = plan.SlotTypes[slot];
                long length = 1;
                foreach (var d in shape) length *= d;
                var size = TensorSize.Of(ValueName(op, k), type, length);
                if (length > elementLimit) return Stopped(plan, shapes, size, outputOf, slot, bytes);
                if (outputOf[slot] < 0 && (largest is null || length > largest.Value.Elements)) largest = size;
                if (step.Folded)
                {
                    known[slot] = TypedArrays.View(TypedArrays.Allocate(type, (int)length), (int)length, shape);
                    bytes += size.Bytes;
                }
                else if (plan.CallerIndex[slot] < 0)
                {
                    bytes += Take(free, bufferOf, slot, type, Math.Max(length, 1));
                }
            }
            if (step.Folded)
            {
                var values = new TensorView[step.InputSlots.Length];
                for (var i = 0; i < values.Length; i++)
                    if (step.InputSlots[i] is var slot and >= 0)
                        values[i] = known[slot].Shape is not null ? known[slot] : TypedArrays.View(TypedArrays.Allocate(plan.SlotTypes[slot], 0), 0, shapes[slot]!);
                op.Run(values, step.OutputSlots.Select(slot => known[slot]).ToArray());
            }
            foreach (var released in step.ReleaseAfter)
                if (bufferOf[released] is { } buffer) free.Add(buffer);
        }
        return new RunFootprint(Outputs(plan, shapes), largest, bytes, Planned: true);
    }

    /// <summary>Bytes of a new buffer for <paramref name="slot"/>, or 0 when a dead value's buffer fits (as <see cref="Workspace"/> chooses).</summary>
    private static long Take(List<(TensorElementType Type, long Capacity)> free, (TensorElementType, long)?[] bufferOf, int slot, TensorElementType type, long length)
    {
        var best = -1;
        for (var i = 0; i < free.Count; i++)
            if (free[i].Capacity >= length && free[i].Type == type && (best < 0 || free[i].Capacity < free[best].Capacity)) best = i;
        if (best >= 0)
        {
            bufferOf[slot] = free[best];
            free.RemoveAt(best);
            return 0;
        }
        // The shared pool hands out power-of-two lengths.
        var capacity = length <= 16 ? 16 : (long)BitOperations.RoundUpToPowerOf2((ulong)length);
        bufferOf[slot] = (type, capacity);
        return capacity * TensorElementTypes.SizeOf(type);
    }

    private static RunFootprint Stopped(ExecutionPlan plan, int[]?[] shapes, TensorSize size, int[] outputOf, int slot, long bytes)
    {
        var outputs = Outputs(plan, shapes);
        if (outputOf[slot] >= 0)
        {
            // The oversized value is an output: name it by the output's name, the one the client knows.
            outputs[outputOf[slot]] = size with { Name = plan.OutputNames[outputOf[slot]] };
            return new RunFootprint(outputs, null, bytes, Planned: true, Stopped: true);
        }
        return new RunFootprint(outputs, size, bytes, Planned: true, Stopped: true);
    }

    /// <summary>Each output at its shape where known so far (0 elements where not).</summary>
    private static TensorSize[] Outputs(ExecutionPlan plan, int[]?[] shapes)
    {
        var outputs = new TensorSize[plan.OutputSlots.Length];
        for (var o = 0; o < outputs.Length; o++)
        {
            long length = 0;
            if (shapes[plan.OutputSlots[o]] is { } shape)
            {
                length = 1;
                foreach (var d in shape) length *= d;
            }
            outputs[o] = TensorSize.Of(plan.OutputNames[o], plan.OutputTypes[o], length);
        }
        return outputs;
    }

    private static string ValueName(Operator op, int output) =>
        op.Outputs[output] is { Length: > 0 } name ? name : $"{op.OpType} node '{op.NodeName}' output {output}";
}
