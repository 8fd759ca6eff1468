using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX Pow (opset 13+): a float32 base raised to a float32 or int64 exponent, broadcasting; the output is float32.
/// An int64 base is refused (integer powers with negative exponents have no agreed result).
/// </summary>
public sealed class PowOperator : Operator
{
    public PowOperator(NodeProto node) : base(node, 2, 2) => NodeAttributes.Read(node);

    public override void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs)
    {
        RequireType(inputs, 0, TensorElementType.Float32);
        RequireType(inputs, 1, TensorElementType.Float32, TensorElementType.Int64);
        outputs[0] = TensorElementType.Float32;
    }

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        int[] shape;
        try
        {
            shape = BroadcastShapes.Broadcast(inputs[0].RequiredShape, inputs[1].RequiredShape);
        }
        catch (ArgumentException e)
        {
            throw ShapeError(e.Message);
        }
        if (shape.Length > BroadcastShapes.MaxRank)
            throw ShapeError($"output rank {shape.Length} exceeds {BroadcastShapes.MaxRank}");
        outputs[0] = shape;
    }

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        TensorView<float> x = inputs[0].As<float>(), z = outputs[0].As<float>();
        if (inputs[1].ElementType == TensorElementType.Int64)
        {
            var y = inputs[1].As<long>();
            PowKernel.Pow(x.Span, x.Shape, y.Span, y.Shape, z.Span, z.Shape);
        }
        else
        {
            var y = inputs[1].As<float>();
            PowKernel.Pow(x.Span, x.Shape, y.Span, y.Shape, z.Span, z.Shape);
        }
    }
}
