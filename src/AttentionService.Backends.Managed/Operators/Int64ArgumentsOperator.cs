using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// An op that rearranges its first input, of any element type, as told by INT64 inputs after it (shape, repeats, axes,
/// starts…) whose values the plan reads when it is made; every output has the first input's element type.
/// </summary>
public abstract class Int64ArgumentsOperator : Operator
{
    protected Int64ArgumentsOperator(NodeProto node, int minInputs, int maxInputs, int minOutputs = 1, int maxOutputs = 1)
        : base(node, minInputs, maxInputs, minOutputs, maxOutputs)
    {
    }

    public sealed override bool NeedsValue(int input) => input >= 1;

    public sealed override void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs)
    {
        for (var i = 1; i < inputs.Length; i++) RequireType(inputs, i, TensorElementType.Int64);
        outputs.Fill(inputs[0]!.Value);
    }
}
