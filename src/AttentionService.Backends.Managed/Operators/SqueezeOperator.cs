using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX Squeeze (opset 13+): removes the size-1 axes given by the constant <c>axes</c> input, or every size-1 axis
/// when axes is absent.
/// </summary>
public sealed class SqueezeOperator : Operator
{
    private readonly long[]? _axes;

    public SqueezeOperator(NodeProto node, ConstantInputs constants) : base(node, [UnsqueezeOperator.DataInput(node)])
    {
        NodeAttributes.Read(node);
        _axes = ConstantInputs.Has(node, 1) ? constants.Int64(node, 1, "axes") : null;
    }

    public override int[] OutputShape(ReadOnlySpan<int[]> inputShapes)
    {
        var input = inputShapes[0];
        var rank = input.Length;
        Span<bool> removed = stackalloc bool[rank];
        if (_axes is null)
        {
            for (var i = 0; i < rank; i++) removed[i] = input[i] == 1;
        }
        else
        {
            foreach (var a in _axes)
            {
                var axis = a < 0 ? a + rank : a;
                if (axis < 0 || axis >= rank || removed[(int)axis])
                    throw ShapeError($"axes ({string.Join(", ", _axes)}) must be distinct and within [{-rank}, {rank - 1}] for input {ShapeText(input)}");
                if (input[axis] != 1)
                    throw ShapeError($"axis {a} of input {ShapeText(input)} has size {input[axis]}, only size-1 axes can be squeezed");
                removed[(int)axis] = true;
            }
        }
        var count = 0;
        foreach (var r in removed) if (!r) count++;
        var shape = new int[count];
        for (int i = 0, target = 0; i < rank; i++)
            if (!removed[i]) shape[target++] = input[i];
        return shape;
    }

    public override void RunInto(ReadOnlySpan<TensorView<float>> inputs, TensorView<float> destination) => inputs[0].Span.CopyTo(destination.Span);
}
