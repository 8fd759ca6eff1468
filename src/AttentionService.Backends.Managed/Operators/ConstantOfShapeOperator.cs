using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX ConstantOfShape: a tensor of the shape given by its INT64 input (known when the plan is made), every element
/// the one-element <c>value</c> attribute (FLOAT, INT64 or BOOL; float 0 when absent).
/// </summary>
public sealed class ConstantOfShapeOperator : Operator
{
    private readonly TensorView _value;

    public ConstantOfShapeOperator(NodeProto node) : base(node, 1, 1)
    {
        var value = NodeAttributes.Read(node, "value").Tensor("value");
        if (value is null)
        {
            _value = new TensorView<float>([0f], 1, [1]);
            return;
        }
        _value = TypedArrays.FromProto(value, $"ConstantOfShape node '{NodeName}' value");
        if (_value.Length != 1)
            throw Unsupported($"has a value of {_value.Length} elements; it must hold exactly one");
    }

    public override bool NeedsValue(int input) => input == 0;

    public override void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs)
    {
        RequireType(inputs, 0, TensorElementType.Int64);
        outputs[0] = _value.ElementType;
    }

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        if (inputs[0].RequiredShape.Length != 1)
            throw ShapeError($"the shape input has shape {ShapeText(inputs[0].RequiredShape)}, expected rank 1");
        var dims = inputs[0].Value.As<long>().Span;
        var shape = new int[dims.Length];
        long length = 1;
        for (var i = 0; i < dims.Length; i++)
        {
            if (dims[i] is < 0 or > int.MaxValue) throw ShapeError($"cannot make a tensor of shape ({string.Join(", ", dims.ToArray())})");
            length *= dims[i];
            if (length > int.MaxValue) throw ShapeError($"a tensor of shape ({string.Join(", ", dims.ToArray())}) has {length} elements");
            shape[i] = (int)dims[i];
        }
        outputs[0] = shape;
    }

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        switch (_value.ElementType)
        {
            case TensorElementType.Float32: outputs[0].As<float>().Span.Fill(_value.As<float>().Span[0]); break;
            case TensorElementType.Int64: outputs[0].As<long>().Span.Fill(_value.As<long>().Span[0]); break;
            default: outputs[0].As<bool>().Span.Fill(_value.As<bool>().Span[0]); break;
        }
    }
}
