using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX Expand, of any element type: broadcasts the input and the INT64 shape input (known when the plan is made)
/// against each other, numpy style, so a 1 in the shape keeps the input's dimension and the shape may be shorter.
/// </summary>
public sealed class ExpandOperator : Int64ArgumentsOperator
{
    public ExpandOperator(NodeProto node) : base(node, 2, 2) => NodeAttributes.Read(node);

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        if (inputs[1].RequiredShape.Length != 1)
            throw ShapeError($"the shape input has shape {ShapeText(inputs[1].RequiredShape)}, expected rank 1");
        var target = inputs[1].Value.As<long>().Span;
        var dims = new int[target.Length];
        for (var i = 0; i < dims.Length; i++)
        {
            if (target[i] < 0 || target[i] > int.MaxValue) throw ShapeError($"shape ({string.Join(", ", target.ToArray())}) has dimension {target[i]}");
            dims[i] = (int)target[i];
        }
        int[] shape;
        try
        {
            shape = BroadcastShapes.Broadcast(inputs[0].RequiredShape, dims);
        }
        catch (ArgumentException e)
        {
            throw ShapeError(e.Message);
        }
        if (shape.Length > BroadcastShapes.MaxRank) throw ShapeError($"output rank {shape.Length} exceeds {BroadcastShapes.MaxRank}");
        long length = 1;
        foreach (var d in shape) length *= d;
        if (length > int.MaxValue) throw ShapeError($"the output {ShapeText(shape)} has {length} elements");
        outputs[0] = shape;
    }

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        var x = inputs[0];
        var y = outputs[0];
        switch (x.ElementType)
        {
            case TensorElementType.Float32: ExpandKernel.Expand<float>(x.As<float>().Span, x.Shape, y.As<float>().Span, y.Shape); break;
            case TensorElementType.Int64: ExpandKernel.Expand<long>(x.As<long>().Span, x.Shape, y.As<long>().Span, y.Shape); break;
            default: ExpandKernel.Expand<bool>(x.As<bool>().Span, x.Shape, y.As<bool>().Span, y.Shape); break;
        }
    }
}
