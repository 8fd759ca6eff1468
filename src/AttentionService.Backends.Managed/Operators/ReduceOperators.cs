using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ReduceSum, ReduceMean, ReduceMax over float32 and int64. The axes come from whichever form the node has: the
/// <c>axes</c> attribute (ReduceMean and ReduceMax before opset 18) or the optional INT64 input 1 (ReduceSum since 13,
/// the others since 18), known when the plan is made; a node with both is refused. No axes (or an empty axes input)
/// reduces every axis, unless <c>noop_with_empty_axes</c> = 1, when the output is the input. <c>keepdims</c>
/// (default 1) keeps reduced axes as size 1.
/// </summary>
public abstract class ReduceOperator : Operator
{
    private readonly long[]? _attributeAxes;
    private readonly bool _keepDims;
    private readonly bool _noopWithEmptyAxes;
    private TensorElementType _inputType = TensorElementType.Float32;

    protected ReduceOperator(NodeProto node) : base(node, 1, 2)
    {
        var attributes = NodeAttributes.Read(node, "axes", "keepdims", "noop_with_empty_axes");
        _attributeAxes = attributes.Ints("axes");
        _keepDims = attributes.Int("keepdims", 1) != 0;
        _noopWithEmptyAxes = attributes.Int("noop_with_empty_axes", 0) != 0;
        if (_attributeAxes is not null && Inputs.Count > 1 && Inputs[1].Length > 0)
            throw Unsupported($"has both the axes attribute ({string.Join(", ", _attributeAxes)}) and the axes input '{Inputs[1]}'; a node takes one or the other");
    }

    public override bool NeedsValue(int input) => input == 1;

    public override void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs)
    {
        RequireType(inputs, 0, TensorElementType.Float32, TensorElementType.Int64);
        if (inputs.Length > 1) RequireType(inputs, 1, TensorElementType.Int64);
        _inputType = inputs[0]!.Value;
        outputs[0] = _inputType;
    }

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        var shape = inputs[0].RequiredShape;
        if (shape.Length > ReduceKernel.MaxRank)
            throw ShapeError($"input {ShapeText(shape)} has rank {shape.Length}; at most {ReduceKernel.MaxRank} is supported");
        if (inputs.Length > 1 && inputs[1].IsPresent && inputs[1].RequiredShape.Length != 1)
            throw ShapeError($"the axes input has shape {ShapeText(inputs[1].RequiredShape)}, expected rank 1");
        Span<bool> reduced = stackalloc bool[shape.Length];
        var axes = inputs.Length > 1 && inputs[1].IsPresent ? inputs[1].Value : default;
        if (ReducedAxes(shape, axes, reduced))
        {
            outputs[0] = (int[])shape.Clone();
            return;
        }
        var count = 1L;
        var rank = 0;
        for (var axis = 0; axis < shape.Length; axis++)
        {
            if (reduced[axis]) count *= shape[axis];
            if (!reduced[axis] || _keepDims) rank++;
        }
        if (count == 0) CheckEmptyReduction(shape);
        var output = new int[rank];
        for (int axis = 0, o = 0; axis < shape.Length; axis++)
        {
            if (!reduced[axis]) output[o++] = shape[axis];
            else if (_keepDims) output[o++] = 1;
        }
        outputs[0] = output;
    }

    /// <summary>Called when the reduced axes hold no element; an op with no value for an empty set refuses here.</summary>
    protected virtual void CheckEmptyReduction(int[] shape)
    {
    }

    /// <summary>The element type the plan gave input 0 (float32 until types are inferred).</summary>
    protected TensorElementType InputType => _inputType;

    public sealed override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        var x = inputs[0];
        Span<bool> reduced = stackalloc bool[x.Rank];
        if (ReducedAxes(x.Shape, inputs.Length > 1 ? inputs[1] : default, reduced))
        {
            TypedArrays.Copy(x, outputs[0]);
            return;
        }
        var count = 1;
        for (var axis = 0; axis < x.Rank; axis++)
            if (reduced[axis]) count *= x.Shape[axis];
        if (x.ElementType == TensorElementType.Int64) Reduce(x.As<long>().Span, x.Shape, reduced, outputs[0].As<long>().Span, count);
        else Reduce(x.As<float>().Span, x.Shape, reduced, outputs[0].As<float>().Span, count);
    }

    protected abstract void Reduce(ReadOnlySpan<float> x, ReadOnlySpan<int> shape, ReadOnlySpan<bool> reduced, Span<float> destination, int count);

    protected abstract void Reduce(ReadOnlySpan<long> x, ReadOnlySpan<int> shape, ReadOnlySpan<bool> reduced, Span<long> destination, int count);

    /// <summary>Marks the reduced axes of <paramref name="shape"/>; returns true when the node is a no-op (empty axes with noop_with_empty_axes).</summary>
    private bool ReducedAxes(int[] shape, TensorView axesInput, Span<bool> reduced)
    {
        var rank = shape.Length;
        ReadOnlySpan<long> axes = _attributeAxes ?? (axesInput.Shape is null ? [] : axesInput.As<long>().Span);
        if (axes.IsEmpty)
        {
            if (_noopWithEmptyAxes) return true;
            reduced.Fill(true);
            return false;
        }
        reduced.Clear();
        foreach (var a in axes)
        {
            var axis = a < 0 ? a + rank : a;
            if (axis < 0 || axis >= rank || reduced[(int)axis])
                throw ShapeError($"axes ({string.Join(", ", axes.ToArray())}) must be distinct and within [{-rank}, {rank - 1}] for input {ShapeText(shape)}");
            reduced[(int)axis] = true;
        }
        return false;
    }
}

/// <summary>ONNX ReduceSum (0 over an empty set).</summary>
public sealed class ReduceSumOperator(NodeProto node) : ReduceOperator(node)
{
    protected override void Reduce(ReadOnlySpan<float> x, ReadOnlySpan<int> shape, ReadOnlySpan<bool> reduced, Span<float> destination, int count) =>
        ReduceKernel.Reduce<float, SumReduction<float>>(x, shape, reduced, destination);

    protected override void Reduce(ReadOnlySpan<long> x, ReadOnlySpan<int> shape, ReadOnlySpan<bool> reduced, Span<long> destination, int count) =>
        ReduceKernel.Reduce<long, SumReduction<long>>(x, shape, reduced, destination);
}

/// <summary>ONNX ReduceMean: the sum over the count (NaN over an empty float set; int64 truncates toward zero, and an empty int64 set is refused).</summary>
public sealed class ReduceMeanOperator(NodeProto node) : ReduceOperator(node)
{
    protected override void CheckEmptyReduction(int[] shape)
    {
        if (InputType == TensorElementType.Int64)
            throw ShapeError($"averages an empty set of INT64 values (input {ShapeText(shape)}), which has no value");
    }

    protected override void Reduce(ReadOnlySpan<float> x, ReadOnlySpan<int> shape, ReadOnlySpan<bool> reduced, Span<float> destination, int count)
    {
        ReduceKernel.Reduce<float, SumReduction<float>>(x, shape, reduced, destination);
        System.Numerics.Tensors.TensorPrimitives.Divide(destination, (float)count, destination);
    }

    protected override void Reduce(ReadOnlySpan<long> x, ReadOnlySpan<int> shape, ReadOnlySpan<bool> reduced, Span<long> destination, int count)
    {
        ReduceKernel.Reduce<long, SumReduction<long>>(x, shape, reduced, destination);
        for (var i = 0; i < destination.Length; i++) destination[i] /= count;
    }
}

/// <summary>ONNX ReduceMax (−inf, or long.MinValue, over an empty set; a NaN anywhere in a float set gives NaN).</summary>
public sealed class ReduceMaxOperator(NodeProto node) : ReduceOperator(node)
{
    protected override void Reduce(ReadOnlySpan<float> x, ReadOnlySpan<int> shape, ReadOnlySpan<bool> reduced, Span<float> destination, int count) =>
        ReduceKernel.Reduce<float, FloatMaxReduction>(x, shape, reduced, destination);

    protected override void Reduce(ReadOnlySpan<long> x, ReadOnlySpan<int> shape, ReadOnlySpan<bool> reduced, Span<long> destination, int count) =>
        ReduceKernel.Reduce<long, Int64MaxReduction>(x, shape, reduced, destination);
}
