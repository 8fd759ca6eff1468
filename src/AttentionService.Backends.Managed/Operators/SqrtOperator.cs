using AttentionService.Backends.Managed.Kernels;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>ONNX Sqrt.</summary>
public sealed class SqrtOperator(NodeProto node) : ElementwiseUnaryOperator(node)
{
    protected override void Compute(ReadOnlySpan<float> x, Span<float> destination) => SqrtKernel.Sqrt(x, destination);
}
