using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// The axis handling Softmax and LogSoftmax (opset 13+) share: one attribute <c>axis</c> (default -1, the last), an
/// output shaped as the input, and the input viewed as <c>[outer, axis, inner]</c> for the kernel.
/// </summary>
public abstract class AxisSoftmaxOperator : Operator
{
    private readonly int _axis;

    private protected AxisSoftmaxOperator(NodeProto node) : base(node, 1, 1) =>
        _axis = checked((int)NodeAttributes.Read(node, "axis").Int("axis", -1));

    /// <summary>The axis attribute as written (negative counts from the end).</summary>
    public int Axis => _axis;

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        var shape = inputs[0].RequiredShape;
        ResolveAxis(_axis, shape);
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
        if (inner == 1) Rows(x.Span, destination.Span, axisLength);
        else Strided(x.Span, destination.Span, Tensor.ElementCount(x.Shape.AsSpan(0, axis)), axisLength, inner);
    }

    /// <summary>The last axis: contiguous rows of <paramref name="rowLength"/>.</summary>
    private protected abstract void Rows(ReadOnlySpan<float> x, Span<float> destination, int rowLength);

    /// <summary>A non-last axis of <c>[outer, axisLength, inner]</c>.</summary>
    private protected abstract void Strided(ReadOnlySpan<float> x, Span<float> destination, int outer, int axisLength, int inner);
}
