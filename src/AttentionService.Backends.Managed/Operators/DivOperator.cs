using AttentionService.Backends.Managed.Kernels;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>ONNX Div with broadcasting.</summary>
public sealed class DivOperator(NodeProto node) : ElementwiseBinaryOperator(node)
{
    protected override void Compute(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape,
        Span<float> destination, ReadOnlySpan<int> destinationShape) =>
        BroadcastBinaryKernel.Divide(x, xShape, y, yShape, destination, destinationShape);
}
