using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>ONNX Where: X where the condition (a 0/1 float) is true, else Y, broadcasting all three.</summary>
public sealed class WhereOperator : Operator
{
    public WhereOperator(NodeProto node) : base(node, ThreeInputs(node)) => NodeAttributes.Read(node);

    public override int[] OutputShape(ReadOnlySpan<int[]> inputShapes)
    {
        int[] shape;
        try
        {
            shape = BroadcastShapes.Broadcast(inputShapes[0], inputShapes[1], inputShapes[2]);
        }
        catch (ArgumentException e)
        {
            throw ShapeError(e.Message);
        }
        if (shape.Length > BroadcastShapes.MaxRank)
            throw ShapeError($"output rank {shape.Length} exceeds {BroadcastShapes.MaxRank}");
        return shape;
    }

    public override void RunInto(ReadOnlySpan<TensorView<float>> inputs, TensorView<float> destination)
    {
        TensorView<float> condition = inputs[0], x = inputs[1], y = inputs[2];
        WhereKernel.Where(condition.Span, condition.Shape, x.Span, x.Shape, y.Span, y.Shape, destination.Span, destination.Shape);
    }

    private static string[] ThreeInputs(NodeProto node) => node.Input.Count == 3 && node.Input.All(i => i.Length > 0)
        ? [node.Input[0], node.Input[1], node.Input[2]]
        : throw new BackendUnavailableException($"Where node '{node.Name}' has {node.Input.Count} inputs ({string.Join(", ", node.Input)}), expected 3");
}
