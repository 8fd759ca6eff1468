using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX Unsqueeze (opset 13+), of any element type: inserts size-1 axes at the INT64 <c>axes</c> input (known when
/// the plan is made; indices into the output, negative from the end).
/// </summary>
public sealed class UnsqueezeOperator : Int64ArgumentsOperator
{
    public UnsqueezeOperator(NodeProto node) : base(node, 2, 2) => NodeAttributes.Read(node);

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        var input = inputs[0].RequiredShape;
        var axes = inputs[1].Value.As<long>().Span;
        var rank = input.Length + axes.Length;
        Span<bool> inserted = stackalloc bool[rank];
        foreach (var a in axes)
        {
            var axis = a < 0 ? a + rank : a;
            if (axis < 0 || axis >= rank || inserted[(int)axis])
                throw ShapeError($"axes ({string.Join(", ", axes.ToArray())}) must be distinct and within [{-rank}, {rank - 1}] for input {ShapeText(input)}");
            inserted[(int)axis] = true;
        }
        var shape = new int[rank];
        for (int i = 0, source = 0; i < rank; i++)
            shape[i] = inserted[i] ? 1 : input[source++];
        outputs[0] = shape;
    }

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs) => Kernels.TypedArrays.Copy(inputs[0], outputs[0]);
}
