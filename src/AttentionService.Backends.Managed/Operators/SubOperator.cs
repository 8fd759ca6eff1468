using AttentionService.Backends.Managed.Kernels;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>ONNX Sub with broadcasting.</summary>
public sealed class SubOperator(NodeProto node) : ElementwiseBinaryOperator(node)
{
    protected override void Compute(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape,
        Span<float> destination, ReadOnlySpan<int> destinationShape) =>
        BroadcastBinaryKernel.Subtract(x, xShape, y, yShape, destination, destinationShape);
}
