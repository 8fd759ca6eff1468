using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX Trilu, of any element type: keeps the upper (default) or lower triangle of each matrix in the last two axes,
/// shifted by the optional INT64 scalar k (known when the plan is made; positive moves it right), and zeroes the rest.
/// </summary>
public sealed class TriluOperator : Operator
{
    private readonly bool _upper;

    public TriluOperator(NodeProto node) : base(node, 1, 2) => _upper = NodeAttributes.Read(node, "upper").Int("upper", 1) != 0;

    public override bool NeedsValue(int input) => input == 1;

    public override void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs)
    {
        if (inputs.Length > 1) RequireType(inputs, 1, TensorElementType.Int64);
        outputs[0] = inputs[0]!.Value;
    }

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        var shape = inputs[0].RequiredShape;
        if (shape.Length < 2) throw ShapeError($"input {ShapeText(shape)} has rank {shape.Length}; Trilu takes matrices (rank ≥ 2)");
        if (inputs.Length > 1 && inputs[1].IsPresent && (inputs[1].RequiredShape.Length > 1 || inputs[1].Value.Length != 1))
            throw ShapeError($"k has shape {ShapeText(inputs[1].RequiredShape)}, expected a scalar");
        outputs[0] = (int[])shape.Clone();
    }

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        var x = inputs[0];
        var k = inputs.Length > 1 && inputs[1].Shape is not null ? inputs[1].As<long>().Span[0] : 0;
        int rows = x.Shape[^2], columns = x.Shape[^1];
        var matrices = 1;
        for (var a = 0; a < x.Rank - 2; a++) matrices *= x.Shape[a];
        switch (x.ElementType)
        {
            case TensorElementType.Float32: TriluKernel.Trilu<float>(x.As<float>().Span, matrices, rows, columns, k, _upper, outputs[0].As<float>().Span); break;
            case TensorElementType.Int64: TriluKernel.Trilu<long>(x.As<long>().Span, matrices, rows, columns, k, _upper, outputs[0].As<long>().Span); break;
            default: TriluKernel.Trilu<bool>(x.As<bool>().Span, matrices, rows, columns, k, _upper, outputs[0].As<bool>().Span); break;
        }
    }
}
