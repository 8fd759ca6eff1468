using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>A two-input elementwise op with multidirectional (numpy) broadcasting.</summary>
public abstract class ElementwiseBinaryOperator : Operator
{
    protected ElementwiseBinaryOperator(NodeProto node) : base(node, TwoInputs(node)) => NodeAttributes.Read(node);

    public sealed override int[] OutputShape(ReadOnlySpan<int[]> inputShapes)
    {
        int[] shape;
        try
        {
            shape = BroadcastShapes.Broadcast(inputShapes[0], inputShapes[1]);
        }
        catch (ArgumentException e)
        {
            throw ShapeError(e.Message);
        }
        if (shape.Length > BroadcastShapes.MaxRank)
            throw ShapeError($"output rank {shape.Length} exceeds {BroadcastShapes.MaxRank}");
        return shape;
    }

    public sealed override void RunInto(ReadOnlySpan<TensorView<float>> inputs, TensorView<float> destination)
    {
        TensorView<float> x = inputs[0], y = inputs[1];
        Compute(x.Span, x.Shape, y.Span, y.Shape, destination.Span, destination.Shape);
    }

    protected abstract void Compute(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape,
        Span<float> destination, ReadOnlySpan<int> destinationShape);

    private static string[] TwoInputs(NodeProto node) => node.Input.Count == 2 && node.Input.All(i => i.Length > 0)
        ? [node.Input[0], node.Input[1]]
        : throw new BackendUnavailableException($"{node.OpType} node '{node.Name}' has {node.Input.Count} inputs ({string.Join(", ", node.Input)}), expected 2");
}
