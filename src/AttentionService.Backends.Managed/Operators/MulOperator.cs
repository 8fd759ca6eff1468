using AttentionService.Backends.Managed.Kernels;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>ONNX Mul with broadcasting.</summary>
public sealed class MulOperator(NodeProto node) : ElementwiseBinaryOperator(node)
{
    protected override void Compute(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape,
        Span<float> destination, ReadOnlySpan<int> destinationShape) =>
        BroadcastBinaryKernel.Multiply(x, xShape, y, yShape, destination, destinationShape);
}
