using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>ONNX Softmax (opset 13+): normalizes along the single axis <c>axis</c> (default -1, the last).</summary>
public sealed class SoftmaxOperator : Operator
{
    private readonly int _axis;

    public SoftmaxOperator(NodeProto node) : base(node, [TransposeOperator.SingleInput(node)]) =>
        _axis = checked((int)NodeAttributes.Read(node, "axis").Int("axis", -1));

    /// <summary>The axis attribute as written (negative counts from the end).</summary>
    public int Axis => _axis;

    public override int[] OutputShape(ReadOnlySpan<int[]> inputShapes)
    {
        var shape = inputShapes[0];
        var rank = shape.Length;
        if (_axis < -rank || _axis >= rank)
            throw ShapeError($"axis {_axis} is outside [{-rank}, {rank - 1}] for input {ShapeText(shape)}");
        return (int[])shape.Clone();
    }

    public override void RunInto(ReadOnlySpan<TensorView<float>> inputs, TensorView<float> destination)
    {
        var x = inputs[0];
        if (x.Length == 0) return;
        var axis = _axis < 0 ? _axis + x.Rank : _axis;
        var axisLength = x.Shape[axis];
        var inner = Tensor.ElementCount(x.Shape.AsSpan(axis + 1));
        if (inner == 1) SoftmaxKernel.Rows(x.Span, destination.Span, axisLength);
        else SoftmaxKernel.Strided(x.Span, destination.Span, Tensor.ElementCount(x.Shape.AsSpan(0, axis)), axisLength, inner);
    }
}
