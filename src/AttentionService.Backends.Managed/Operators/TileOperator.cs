using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX Tile, of any element type: repeats the input along each axis by the INT64 <c>repeats</c> input (one entry
/// per axis, known when the plan is made).
/// </summary>
public sealed class TileOperator : Int64ArgumentsOperator
{
    public TileOperator(NodeProto node) : base(node, 2, 2) => NodeAttributes.Read(node);

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        var input = inputs[0].RequiredShape;
        var repeats = inputs[1].Value.As<long>().Span;
        if (inputs[1].RequiredShape.Length != 1 || repeats.Length != input.Length)
            throw ShapeError($"repeats has shape {ShapeText(inputs[1].RequiredShape)}, expected [{input.Length}] (one entry per axis of input {ShapeText(input)})");
        if (input.Length > TileKernel.MaxRank) throw ShapeError($"input has rank {input.Length}; at most {TileKernel.MaxRank} is supported");
        var shape = new int[input.Length];
        long length = 1;
        for (var i = 0; i < shape.Length; i++)
        {
            if (repeats[i] < 0 || repeats[i] > int.MaxValue) throw Untileable(input, repeats);
            var d = input[i] * repeats[i];
            if (d > int.MaxValue) throw Untileable(input, repeats);
            length *= d;
            if (length > int.MaxValue) throw Untileable(input, repeats);
            shape[i] = (int)d;
        }
        outputs[0] = shape;
    }

    private ArgumentException Untileable(int[] input, ReadOnlySpan<long> repeats) =>
        ShapeError($"cannot tile input {ShapeText(input)} by ({string.Join(", ", repeats.ToArray())})");

    /// <summary>The repeats are the ratio of the planned output shape to the input's, so the repeats input is not read again.</summary>
    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        var x = inputs[0];
        var y = outputs[0];
        switch (x.ElementType)
        {
            case TensorElementType.Float32: TileKernel.Tile<float>(x.As<float>().Span, x.Shape, y.As<float>().Span, y.Shape); break;
            case TensorElementType.Int64: TileKernel.Tile<long>(x.As<long>().Span, x.Shape, y.As<long>().Span, y.Shape); break;
            default: TileKernel.Tile<bool>(x.As<bool>().Span, x.Shape, y.As<bool>().Span, y.Shape); break;
        }
    }
}
