using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>ONNX Where: X where the BOOL condition is true, else Y (both of one type), broadcasting all three.</summary>
public sealed class WhereOperator : Operator
{
    public WhereOperator(NodeProto node) : base(node, 3, 3) => NodeAttributes.Read(node);

    public override void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs)
    {
        RequireType(inputs, 0, TensorElementType.Bool);
        if (inputs[1] != inputs[2])
            throw Unsupported($"chooses between {inputs[1]?.ToWireName()} and {inputs[2]?.ToWireName()}; X and Y must have one type");
        outputs[0] = inputs[1]!.Value;
    }

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        int[] shape;
        try
        {
            shape = BroadcastShapes.Broadcast(inputs[0].RequiredShape, inputs[1].RequiredShape, inputs[2].RequiredShape);
        }
        catch (ArgumentException e)
        {
            throw ShapeError(e.Message);
        }
        outputs[0] = shape;
    }

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        var condition = inputs[0].As<bool>();
        switch (inputs[1].ElementType)
        {
            case TensorElementType.Float32: Select<float>(condition, inputs[1], inputs[2], outputs[0]); break;
            case TensorElementType.Int64: Select<long>(condition, inputs[1], inputs[2], outputs[0]); break;
            default: Select<bool>(condition, inputs[1], inputs[2], outputs[0]); break;
        }
    }

    private static void Select<T>(TensorView<bool> condition, TensorView x, TensorView y, TensorView destination) where T : unmanaged
    {
        TensorView<T> tx = x.As<T>(), ty = y.As<T>(), td = destination.As<T>();
        ScalarBroadcastKernel.Select(condition.Span, condition.Shape, tx.Span, tx.Shape, ty.Span, ty.Shape, td.Span, td.Shape);
    }
}
