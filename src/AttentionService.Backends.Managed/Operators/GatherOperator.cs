using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX Gather, of any element type: picks entries of the data along <c>axis</c> by INT64 indices (negative from the
/// end); the output shape is data[:axis] + indices + data[axis+1:]. An index out of range is an error, at plan time
/// when the indices are known then, else when the run reads it.
/// </summary>
public sealed class GatherOperator : Operator
{
    private readonly long _axis;

    public GatherOperator(NodeProto node) : base(node, 2, 2) => _axis = NodeAttributes.Read(node, "axis").Int("axis", 0);

    public override void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs)
    {
        RequireType(inputs, 1, TensorElementType.Int64);
        outputs[0] = inputs[0]!.Value;
    }

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        var data = inputs[0].RequiredShape;
        var indices = inputs[1].RequiredShape;
        var axis = Axis(data.Length);
        if (inputs[1].IsKnown)
            foreach (var index in inputs[1].Value.As<long>().Span)
                if (index < -data[axis] || index >= data[axis])
                    throw ShapeError($"index {index} is outside [{-data[axis]}, {data[axis] - 1}] for axis {axis} of data {ShapeText(data)}");
        outputs[0] = [.. data.AsSpan(0, axis), .. indices, .. data.AsSpan(axis + 1)];
    }

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        var data = inputs[0];
        var indices = inputs[1].As<long>().Span;
        var axis = Axis(data.Rank);
        int outer = 1, inner = 1;
        for (var a = 0; a < axis; a++) outer *= data.Shape[a];
        for (var a = axis + 1; a < data.Rank; a++) inner *= data.Shape[a];
        var axisSize = data.Shape[axis];
        switch (data.ElementType)
        {
            case TensorElementType.Float32: GatherKernel.Gather(data.As<float>().Span, outer, axisSize, inner, indices, outputs[0].As<float>().Span); break;
            case TensorElementType.Int64: GatherKernel.Gather(data.As<long>().Span, outer, axisSize, inner, indices, outputs[0].As<long>().Span); break;
            default: GatherKernel.Gather(data.As<bool>().Span, outer, axisSize, inner, indices, outputs[0].As<bool>().Span); break;
        }
    }

    private int Axis(int rank)
    {
        if (_axis < -rank || _axis >= rank)
            throw ShapeError(rank == 0 ? "cannot gather from a scalar" : $"axis {_axis} is outside [{-rank}, {rank - 1}] for data of rank {rank}");
        return (int)(_axis < 0 ? _axis + rank : _axis);
    }
}
