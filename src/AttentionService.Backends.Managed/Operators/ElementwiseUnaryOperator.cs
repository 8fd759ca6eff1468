using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>A one-input op whose output has the input's shape.</summary>
public abstract class ElementwiseUnaryOperator : Operator
{
    protected ElementwiseUnaryOperator(NodeProto node) : base(node, [TransposeOperator.SingleInput(node)])
    {
    }

    public sealed override int[] OutputShape(ReadOnlySpan<int[]> inputShapes) => (int[])inputShapes[0].Clone();

    public sealed override void RunInto(ReadOnlySpan<TensorView<float>> inputs, TensorView<float> destination) => Compute(inputs[0].Span, destination.Span);

    protected abstract void Compute(ReadOnlySpan<float> x, Span<float> destination);
}
