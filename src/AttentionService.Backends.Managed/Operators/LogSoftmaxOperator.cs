using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>ONNX LogSoftmax (opset 13+): log of the softmax along the single axis <c>axis</c> (default -1, the last).</summary>
public sealed class LogSoftmaxOperator : Operator
{
    private readonly int _axis;

    public LogSoftmaxOperator(NodeProto node) : base(node, 1, 1) =>
        _axis = checked((int)NodeAttributes.Read(node, "axis").Int("axis", -1));

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        var shape = inputs[0].RequiredShape;
        var rank = shape.Length;
        if (_axis < -rank || _axis >= rank)
            throw ShapeError($"axis {_axis} is outside [{-rank}, {rank - 1}] for input {ShapeText(shape)}");
        outputs[0] = (int[])shape.Clone();
    }

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        var x = inputs[0].As<float>();
        var destination = outputs[0].As<float>();
        if (x.Length == 0) return;
        var axis = _axis < 0 ? _axis + x.Rank : _axis;
        var axisLength = x.Shape[axis];
        var inner = Tensor.ElementCount(x.Shape.AsSpan(axis + 1));
        if (inner == 1) LogSoftmaxKernel.Rows(x.Span, destination.Span, axisLength);
        else LogSoftmaxKernel.Strided(x.Span, destination.Span, Tensor.ElementCount(x.Shape.AsSpan(0, axis)), axisLength, inner);
    }
}
