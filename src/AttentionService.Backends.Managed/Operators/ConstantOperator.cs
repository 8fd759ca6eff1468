using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX Constant: a value stored in the node (a FLOAT, INT64 or BOOL tensor, or value_float(s) / value_int(s)). It has
/// no inputs, so it runs once when a plan is made. sparse_value and the string forms are refused at load.
/// </summary>
public sealed class ConstantOperator : Operator
{
    private readonly TensorView _value;

    public ConstantOperator(NodeProto node) : base(node, 0, 0)
    {
        var attributes = NodeAttributes.Read(node, "value", "value_float", "value_floats", "value_int", "value_ints");
        if (node.Attribute.Count != 1)
            throw Unsupported($"has {node.Attribute.Count} value attributes ({string.Join(", ", node.Attribute.Select(a => a.Name))}); a Constant sets exactly one");
        _value = node.Attribute[0].Name switch
        {
            "value" => TypedArrays.FromProto(attributes.Tensor("value")!, $"Constant node '{NodeName}' value"),
            "value_float" => new TensorView<float>([attributes.Float("value_float", 0f)], 1, []),
            "value_floats" => Vector(attributes.Floats("value_floats")!),
            "value_int" => new TensorView<long>([attributes.Int("value_int", 0)], 1, []),
            _ => Vector(attributes.Ints("value_ints")!),
        };
    }

    public override void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs) => outputs[0] = _value.ElementType;

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs) => outputs[0] = (int[])_value.Shape.Clone();

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs) => TypedArrays.Copy(_value, outputs[0]);

    private static TensorView Vector<T>(T[] values) where T : unmanaged => new TensorView<T>(values, values.Length, [values.Length]);
}
