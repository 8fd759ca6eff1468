using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>ONNX Flatten, of any element type: [d₀ × … × d_{axis−1}, d_axis × … × d_{r−1}], axis in [−r, r] (default 1).</summary>
public sealed class FlattenOperator : Operator
{
    private readonly long _axis;

    public FlattenOperator(NodeProto node) : base(node, 1, 1) => _axis = NodeAttributes.Read(node, "axis").Int("axis", 1);

    public override void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs) => outputs[0] = inputs[0]!.Value;

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        var shape = inputs[0].RequiredShape;
        var rank = shape.Length;
        if (_axis < -rank || _axis > rank)
            throw ShapeError($"axis {_axis} is outside [{-rank}, {rank}] for input {ShapeText(shape)}");
        var axis = (int)(_axis < 0 ? _axis + rank : _axis);
        int outer = 1, inner = 1;
        for (var a = 0; a < axis; a++) outer *= shape[a];
        for (var a = axis; a < rank; a++) inner *= shape[a];
        outputs[0] = [outer, inner];
    }

    /// <summary>A copy: every graph value owns its buffer.</summary>
    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs) => Kernels.TypedArrays.Copy(inputs[0], outputs[0]);
}
