using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>ONNX Identity, of any element type: a copy, since every graph value owns its buffer.</summary>
public sealed class IdentityOperator : Operator
{
    public IdentityOperator(NodeProto node) : base(node, 1, 1) => NodeAttributes.Read(node);

    public override void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs) => outputs[0] = inputs[0]!.Value;

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs) => outputs[0] = (int[])inputs[0].RequiredShape.Clone();

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs) => Kernels.TypedArrays.Copy(inputs[0], outputs[0]);
}
