using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX Slice (opset 13+), of any element type: the INT64 inputs starts, ends and the optional axes (default: the
/// first axes in order) and steps (default 1) are known when the plan is made. Negative starts and ends count from the
/// end of their axis, then clamp to [0, dim] for a positive step and [0, dim − 1] / [−1, dim − 1] for a negative one.
/// </summary>
public sealed class SliceOperator : Int64ArgumentsOperator
{
    public SliceOperator(NodeProto node) : base(node, 3, 5) => NodeAttributes.Read(node);

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        var shape = inputs[0].RequiredShape;
        if (shape.Length > SliceKernel.MaxRank) throw ShapeError($"input has rank {shape.Length}; at most {SliceKernel.MaxRank} is supported");
        for (var i = 1; i < inputs.Length; i++)
            if (inputs[i].IsPresent && inputs[i].RequiredShape.Length != 1)
                throw ShapeError($"input {i} ('{Inputs[i]}') has shape {ShapeText(inputs[i].RequiredShape)}, expected rank 1");
        Span<int> starts = stackalloc int[shape.Length], steps = stackalloc int[shape.Length];
        var counts = new int[shape.Length];
        Resolve(shape, Value(inputs, 1), Value(inputs, 2), Present(inputs, 3), Value(inputs, 3), Present(inputs, 4), Value(inputs, 4), starts, steps, counts);
        outputs[0] = counts;
    }

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        var x = inputs[0];
        var rank = x.Rank;
        Span<int> starts = stackalloc int[rank], steps = stackalloc int[rank], counts = stackalloc int[rank];
        Resolve(x.Shape, Value(inputs, 1), Value(inputs, 2), Present(inputs, 3), Value(inputs, 3), Present(inputs, 4), Value(inputs, 4), starts, steps, counts);
        switch (x.ElementType)
        {
            case TensorElementType.Float32: SliceKernel.Slice<float>(x.As<float>().Span, x.Shape, starts, steps, counts, outputs[0].As<float>().Span); break;
            case TensorElementType.Int64: SliceKernel.Slice<long>(x.As<long>().Span, x.Shape, starts, steps, counts, outputs[0].As<long>().Span); break;
            default: SliceKernel.Slice<bool>(x.As<bool>().Span, x.Shape, starts, steps, counts, outputs[0].As<bool>().Span); break;
        }
    }

    private static bool Present(ReadOnlySpan<PlanInput> inputs, int i) => i < inputs.Length && inputs[i].IsPresent;

    private static ReadOnlySpan<long> Value(ReadOnlySpan<PlanInput> inputs, int i) => Present(inputs, i) ? inputs[i].Value.As<long>().Span : default;

    private static bool Present(ReadOnlySpan<TensorView> inputs, int i) => i < inputs.Length && inputs[i].Shape is not null;

    private static ReadOnlySpan<long> Value(ReadOnlySpan<TensorView> inputs, int i) => Present(inputs, i) ? inputs[i].As<long>().Span : default;

    /// <summary>Per axis of <paramref name="shape"/>: the first index taken, the step and the count (absent axes / steps mean the defaults).</summary>
    private void Resolve(ReadOnlySpan<int> shape, ReadOnlySpan<long> starts, ReadOnlySpan<long> ends, bool hasAxes, ReadOnlySpan<long> axes,
        bool hasSteps, ReadOnlySpan<long> steps, Span<int> first, Span<int> step, Span<int> count)
    {
        var rank = shape.Length;
        var sliced = starts.Length;
        if (ends.Length != sliced || (hasAxes && axes.Length != sliced) || (hasSteps && steps.Length != sliced) || sliced > rank)
            throw ShapeError($"starts, ends, axes and steps must have one length, at most the rank {rank}; they have {starts.Length}, {ends.Length}, {axes.Length}, {steps.Length}");
        for (var axis = 0; axis < rank; axis++)
        {
            first[axis] = 0;
            step[axis] = 1;
            count[axis] = shape[axis];
        }
        Span<bool> seen = stackalloc bool[rank];
        seen.Clear();
        for (var i = 0; i < sliced; i++)
        {
            var a = hasAxes ? axes[i] : i;
            if (a < -rank || a >= rank || seen[(int)(a < 0 ? a + rank : a)])
                throw ShapeError($"axes ({string.Join(", ", axes.ToArray())}) must be distinct and within [{-rank}, {rank - 1}] for input {ShapeText(shape)}");
            var axis = (int)(a < 0 ? a + rank : a);
            seen[axis] = true;
            var s = hasSteps ? steps[i] : 1;
            if (s == 0 || s > int.MaxValue || s < -int.MaxValue) throw ShapeError($"step {s} on axis {axis} is not allowed");
            long dim = shape[axis];
            long start = starts[i] < 0 ? starts[i] + dim : starts[i];
            long end = ends[i] < 0 ? ends[i] + dim : ends[i];
            long n;
            if (dim == 0)
            {
                start = 0;
                n = 0;
            }
            else if (s > 0)
            {
                start = Math.Clamp(start, 0, dim);
                end = Math.Clamp(end, 0, dim);
                n = end > start ? (end - start + s - 1) / s : 0;
            }
            else
            {
                start = Math.Clamp(start, 0, dim - 1);
                end = Math.Clamp(end, -1, dim - 1);
                n = start > end ? (start - end - s - 1) / -s : 0;
            }
            first[axis] = n > 0 ? (int)start : 0;
            step[axis] = (int)s;
            count[axis] = (int)n;
        }
    }
}
