using System.Numerics;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX ArgMax (opset 13+) over float32 or int64: the INT64 index of the largest element along <c>axis</c> (default
/// 0), the first of equal maxima or, with <c>select_last_index</c> = 1, the last; <c>keepdims</c> (default 1) keeps
/// the axis as size 1. A NaN is treated as larger than every number, as numpy's argmax does.
/// </summary>
public sealed class ArgMaxOperator : Operator
{
    private readonly int _axis;
    private readonly bool _keepDims;
    private readonly bool _selectLastIndex;

    public ArgMaxOperator(NodeProto node) : base(node, 1, 1)
    {
        var attributes = NodeAttributes.Read(node, "axis", "keepdims", "select_last_index");
        _axis = checked((int)attributes.Int("axis", 0));
        _keepDims = attributes.Int("keepdims", 1) != 0;
        _selectLastIndex = attributes.Int("select_last_index", 0) != 0;
    }

    public override void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs)
    {
        RequireType(inputs, 0, TensorElementType.Float32, TensorElementType.Int64);
        outputs[0] = TensorElementType.Int64;
    }

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        var shape = inputs[0].RequiredShape;
        var axis = ResolveAxis(_axis, shape);
        if (shape[axis] == 0 && Tensor.ElementCount(shape.AsSpan(0, axis)) * (long)Tensor.ElementCount(shape.AsSpan(axis + 1)) > 0)
            throw ShapeError($"axis {_axis} of input {ShapeText(shape)} is empty; an empty set has no largest element");
        outputs[0] = _keepDims
            ? shape.Select((d, i) => i == axis ? 1 : d).ToArray()
            : shape.Where((_, i) => i != axis).ToArray();
    }

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        var x = inputs[0];
        var axis = _axis < 0 ? _axis + x.Rank : _axis;
        var outer = Tensor.ElementCount(x.Shape.AsSpan(0, axis));
        var inner = Tensor.ElementCount(x.Shape.AsSpan(axis + 1));
        var destination = outputs[0].As<long>().Span;
        if (x.ElementType == TensorElementType.Int64) ArgMax(x.As<long>().Span, destination, outer, x.Shape[axis], inner, _selectLastIndex);
        else ArgMax(x.As<float>().Span, destination, outer, x.Shape[axis], inner, _selectLastIndex);
    }

    private static void ArgMax<T>(ReadOnlySpan<T> x, Span<long> destination, int outer, int axisLength, int inner, bool last)
        where T : INumber<T>
    {
        for (var o = 0; o < outer; o++)
            for (var i = 0; i < inner; i++)
            {
                var start = o * axisLength * inner + i;
                var best = x[start];
                var bestIndex = 0;
                for (var a = 1; a < axisLength; a++)
                {
                    var value = x[start + a * inner];
                    // A NaN wins over numbers and stays (the first NaN, or the last one with select_last_index).
                    var wins = T.IsNaN(best)
                        ? last && T.IsNaN(value)
                        : T.IsNaN(value) || (last ? value >= best : value > best);
                    if (!wins) continue;
                    best = value;
                    bestIndex = a;
                }
                destination[o * inner + i] = bestIndex;
            }
    }
}
