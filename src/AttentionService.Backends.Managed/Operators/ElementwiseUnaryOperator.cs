using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>A one-input op whose output has the input's shape.</summary>
public abstract class ElementwiseUnaryOperator : Operator
{
    protected ElementwiseUnaryOperator(NodeProto node) : base(node, [TransposeOperator.SingleInput(node)])
    {
    }

    public sealed override Tensor Run(ReadOnlySpan<Tensor> inputs)
    {
        var x = inputs[0];
        var output = Tensor.Rent((int[])x.Shape.Clone());
        Compute(x.Span, output.Span);
        return output;
    }

    protected abstract void Compute(ReadOnlySpan<float> x, Span<float> destination);
}
