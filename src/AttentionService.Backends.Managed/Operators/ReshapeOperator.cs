using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX Reshape with a constant shape (an INT64 initializer): 0 copies the input's dimension at that position
/// (unless allowzero = 1, when it means size 0), -1 is inferred from the element count.
/// </summary>
public sealed class ReshapeOperator : Operator
{
    private readonly long[] _shape;
    private readonly bool _allowZero;
    private readonly int _inferred = -1;

    public ReshapeOperator(NodeProto node, ConstantInputs constants) : base(node, [DataInput(node)])
    {
        _allowZero = NodeAttributes.Read(node, "allowzero").Int("allowzero", 0) != 0;
        _shape = constants.Int64(node, 1, "shape");
        for (var i = 0; i < _shape.Length; i++)
        {
            if (_shape[i] == -1)
            {
                if (_inferred >= 0)
                    throw Invalid(node, "has more than one -1");
                _inferred = i;
            }
            else if (_shape[i] < -1 || _shape[i] > int.MaxValue)
                throw Invalid(node, $"has dimension {_shape[i]}");
        }
        if (_allowZero && _inferred >= 0 && _shape.Contains(0))
            throw Invalid(node, "has both 0 and -1 with allowzero = 1");
    }

    public override int[] OutputShape(ReadOnlySpan<int[]> inputShapes)
    {
        var input = inputShapes[0];
        var inputLength = Tensor.ElementCount(input);
        var shape = new int[_shape.Length];
        long known = 1;
        for (var i = 0; i < shape.Length; i++)
        {
            if (i == _inferred) continue;
            if (_shape[i] == 0 && !_allowZero)
            {
                if (i >= input.Length)
                    throw ShapeError($"target shape ({string.Join(", ", _shape)}) copies dimension {i} but the input {ShapeText(input)} has rank {input.Length}");
                shape[i] = input[i];
            }
            else shape[i] = (int)_shape[i];
            known *= shape[i];
        }
        if (_inferred >= 0)
        {
            if (known == 0 || inputLength % known != 0)
                throw ShapeError($"cannot infer the -1 in ({string.Join(", ", _shape)}) for input {ShapeText(input)} of {inputLength} elements");
            shape[_inferred] = (int)(inputLength / known);
        }
        else if (known != inputLength)
            throw ShapeError($"target shape ({string.Join(", ", _shape)}) resolves to {ShapeText(shape)} of {known} elements, the input {ShapeText(input)} has {inputLength}");
        return shape;
    }

    /// <summary>A copy: every graph value owns its buffer.</summary>
    public override void RunInto(ReadOnlySpan<TensorView<float>> inputs, TensorView<float> destination) => inputs[0].Span.CopyTo(destination.Span);

    private static string DataInput(NodeProto node) => node.Input.Count == 2 && node.Input[0].Length > 0
        ? node.Input[0]
        : throw new BackendUnavailableException($"Reshape node '{node.Name}' has {node.Input.Count} inputs ({string.Join(", ", node.Input)}), expected data and shape");

    private static BackendUnavailableException Invalid(NodeProto node, string problem) =>
        new($"Reshape node '{node.Name}' shape {problem}");
}
