using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX Reshape, of any element type: the target shape is an INT64 input known when the plan is made (a constant, or
/// computed from input shapes). 0 copies the input's dimension at that position (unless allowzero = 1, when it means
/// size 0), -1 is inferred from the element count.
/// </summary>
public sealed class ReshapeOperator : Int64ArgumentsOperator
{
    private readonly bool _allowZero;

    public ReshapeOperator(NodeProto node) : base(node, 2, 2) =>
        _allowZero = NodeAttributes.Read(node, "allowzero").Int("allowzero", 0) != 0;

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        var input = inputs[0].RequiredShape;
        var target = inputs[1].Value.As<long>().Span;
        if (inputs[1].RequiredShape.Length != 1) throw ShapeError($"the shape input has shape {ShapeText(inputs[1].RequiredShape)}, expected rank 1");
        var inputLength = Tensor.ElementCount(input);
        var shape = new int[target.Length];
        var inferred = -1;
        long known = 1;
        for (var i = 0; i < shape.Length; i++)
        {
            var d = target[i];
            if (d == -1)
            {
                if (inferred >= 0) throw ShapeError($"target shape ({string.Join(", ", target.ToArray())}) has more than one -1");
                inferred = i;
                continue;
            }
            if (d < -1 || d > int.MaxValue) throw ShapeError($"target shape ({string.Join(", ", target.ToArray())}) has dimension {d}");
            if (d == 0 && !_allowZero)
            {
                if (i >= input.Length)
                    throw ShapeError($"target shape ({string.Join(", ", target.ToArray())}) copies dimension {i} but the input {ShapeText(input)} has rank {input.Length}");
                shape[i] = input[i];
            }
            else shape[i] = (int)d;
            known *= shape[i];
        }
        if (inferred >= 0)
        {
            if (_allowZero && target.Contains(0)) throw ShapeError("target shape has both 0 and -1 with allowzero = 1");
            if (known == 0 || inputLength % known != 0)
                throw ShapeError($"cannot infer the -1 in ({string.Join(", ", target.ToArray())}) for input {ShapeText(input)} of {inputLength} elements");
            shape[inferred] = (int)(inputLength / known);
        }
        else if (known != inputLength)
            throw ShapeError($"target shape ({string.Join(", ", target.ToArray())}) resolves to {ShapeText(shape)} of {known} elements, the input {ShapeText(input)} has {inputLength}");
        outputs[0] = shape;
    }

    /// <summary>A copy: every graph value owns its buffer.</summary>
    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs) => Kernels.TypedArrays.Copy(inputs[0], outputs[0]);
}
