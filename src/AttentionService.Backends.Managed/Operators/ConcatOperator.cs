using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX Concat, of any element type: joins inputs of one rank along <c>axis</c> (negative from the end); every other
/// dimension must agree. Each input lands as contiguous blocks, one per index of the axes before <c>axis</c>.
/// </summary>
public sealed class ConcatOperator : Operator
{
    private readonly long _axis;

    public ConcatOperator(NodeProto node) : base(node, 1, int.MaxValue)
    {
        _axis = NodeAttributes.Read(node, "axis").RequiredInt("axis");
        if (Inputs.Any(i => i.Length == 0))
            throw Unsupported($"leaves out input {Inputs.ToList().IndexOf("")}; every Concat input is required");
    }

    public override void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs)
    {
        for (var i = 1; i < inputs.Length; i++)
            if (inputs[i] != inputs[0])
                throw Unsupported($"joins {inputs[0]?.ToWireName()} input 0 ('{Inputs[0]}') with {inputs[i]?.ToWireName()} input {i} ('{Inputs[i]}'); all inputs must have one type");
        outputs[0] = inputs[0]!.Value;
    }

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        var first = inputs[0].RequiredShape;
        var axis = Axis(first.Length);
        var shape = (int[])first.Clone();
        long total = 0;
        foreach (var input in inputs)
        {
            var other = input.RequiredShape;
            var agrees = other.Length == first.Length;
            for (var a = 0; agrees && a < other.Length; a++) agrees = a == axis || other[a] == first[a];
            if (!agrees)
                throw ShapeError($"cannot join {ShapeText(other)} to {ShapeText(first)} along axis {axis}: the other dimensions differ");
            total += other[axis];
        }
        if (total > int.MaxValue) throw ShapeError($"the joined axis {axis} would have {total} entries");
        shape[axis] = (int)total;
        outputs[0] = shape;
    }

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        var output = outputs[0];
        var axis = Axis(output.Rank);
        int outer = 1, inner = 1;
        for (var a = 0; a < axis; a++) outer *= output.Shape[a];
        for (var a = axis + 1; a < output.Rank; a++) inner *= output.Shape[a];
        var outputBlock = output.Shape[axis] * inner;
        var offset = 0;
        foreach (var input in inputs)
        {
            var block = input.Shape[axis] * inner;
            switch (output.ElementType)
            {
                case TensorElementType.Float32: AxisBlockKernel.Insert<float>(input.As<float>().Span, outer, block, output.As<float>().Span, outputBlock, offset); break;
                case TensorElementType.Int64: AxisBlockKernel.Insert<long>(input.As<long>().Span, outer, block, output.As<long>().Span, outputBlock, offset); break;
                default: AxisBlockKernel.Insert<bool>(input.As<bool>().Span, outer, block, output.As<bool>().Span, outputBlock, offset); break;
            }
            offset += block;
        }
    }

    private int Axis(int rank)
    {
        if (_axis < -rank || _axis >= rank)
            throw ShapeError(rank == 0 ? "cannot join scalars" : $"axis {_axis} is outside [{-rank}, {rank - 1}] for inputs of rank {rank}");
        return (int)(_axis < 0 ? _axis + rank : _axis);
    }
}
