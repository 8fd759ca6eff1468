using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>A one-input float32 op whose output has the input's shape.</summary>
public abstract class ElementwiseUnaryOperator : Operator
{
    /// <summary>None of these ops takes attributes, so any attribute is refused at load.</summary>
    protected ElementwiseUnaryOperator(NodeProto node) : base(node, 1, 1) => NodeAttributes.Read(node);

    public sealed override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs) => outputs[0] = (int[])inputs[0].RequiredShape.Clone();

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs) =>
        Compute(inputs[0].As<float>().Span, outputs[0].As<float>().Span);

    protected abstract void Compute(ReadOnlySpan<float> x, Span<float> destination);
}
