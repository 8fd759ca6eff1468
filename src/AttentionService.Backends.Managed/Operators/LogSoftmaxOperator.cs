using AttentionService.Backends.Managed.Kernels;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>ONNX LogSoftmax (opset 13+): log of the softmax along the single axis <c>axis</c> (default -1, the last).</summary>
public sealed class LogSoftmaxOperator(NodeProto node) : AxisSoftmaxOperator(node)
{
    private protected override void Rows(ReadOnlySpan<float> x, Span<float> destination, int rowLength) =>
        LogSoftmaxKernel.Rows(x, destination, rowLength);

    private protected override void Strided(ReadOnlySpan<float> x, Span<float> destination, int outer, int axisLength, int inner) =>
        LogSoftmaxKernel.Strided(x, destination, outer, axisLength, inner);
}
