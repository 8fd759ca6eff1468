using AttentionService.Backends.Managed.Kernels;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>ONNX Tanh.</summary>
public sealed class TanhOperator(NodeProto node) : ElementwiseUnaryOperator(node)
{
    protected override void Compute(ReadOnlySpan<float> x, Span<float> destination) => TanhKernel.Tanh(x, destination);
}
