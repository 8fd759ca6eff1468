using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>ONNX Size: the input's element count as an INT64 scalar, from its shape alone (so it runs when the plan is made).</summary>
public sealed class SizeOperator : Operator
{
    public SizeOperator(NodeProto node) : base(node, 1, 1) => NodeAttributes.Read(node);

    public override bool ReadsOnlyShape(int input) => true;

    public override void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs) => outputs[0] = TensorElementType.Int64;

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs) => outputs[0] = [];

    /// <summary>The count comes from the shape: a shape-only input carries no elements.</summary>
    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        long count = 1;
        foreach (var d in inputs[0].Shape) count *= d;
        outputs[0].As<long>().Span[0] = count;
    }
}
