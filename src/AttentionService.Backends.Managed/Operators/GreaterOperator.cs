using AttentionService.Backends.Managed.Kernels;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>ONNX Greater: 1 where A &gt; B, else 0 (booleans are 0/1 floats), broadcasting.</summary>
public sealed class GreaterOperator(NodeProto node) : ElementwiseBinaryOperator(node)
{
    protected override void Compute(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape,
        Span<float> destination, ReadOnlySpan<int> destinationShape) =>
        BroadcastBinaryKernel.Greater(x, xShape, y, yShape, destination, destinationShape);
}
