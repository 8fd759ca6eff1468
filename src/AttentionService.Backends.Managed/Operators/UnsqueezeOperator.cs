using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>ONNX Unsqueeze (opset 13+): inserts size-1 axes at the constant <c>axes</c> (indices into the output, negative from the end).</summary>
public sealed class UnsqueezeOperator : Operator
{
    private readonly long[] _axes;

    public UnsqueezeOperator(NodeProto node, ConstantInputs constants) : base(node, [DataInput(node)])
    {
        NodeAttributes.Read(node);
        _axes = constants.Int64(node, 1, "axes");
        if (_axes.Length == 0)
            throw new BackendUnavailableException($"Unsqueeze node '{node.Name}' has no axes");
    }

    public override int[] OutputShape(ReadOnlySpan<int[]> inputShapes)
    {
        var input = inputShapes[0];
        var rank = input.Length + _axes.Length;
        Span<bool> inserted = stackalloc bool[rank];
        foreach (var a in _axes)
        {
            var axis = a < 0 ? a + rank : a;
            if (axis < 0 || axis >= rank || inserted[(int)axis])
                throw ShapeError($"axes ({string.Join(", ", _axes)}) must be distinct and within [{-rank}, {rank - 1}] for input {ShapeText(input)}");
            inserted[(int)axis] = true;
        }
        var shape = new int[rank];
        for (int i = 0, source = 0; i < rank; i++)
            shape[i] = inserted[i] ? 1 : input[source++];
        return shape;
    }

    public override void RunInto(ReadOnlySpan<TensorView<float>> inputs, TensorView<float> destination) => inputs[0].Span.CopyTo(destination.Span);

    internal static string DataInput(NodeProto node) => node.Input.Count is 1 or 2 && node.Input[0].Length > 0
        ? node.Input[0]
        : throw new BackendUnavailableException($"{node.OpType} node '{node.Name}' has {node.Input.Count} inputs ({string.Join(", ", node.Input)}), expected data and axes");
}
