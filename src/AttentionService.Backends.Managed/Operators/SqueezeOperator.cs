using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX Squeeze (opset 13+), of any element type: removes the size-1 axes given by the optional INT64 <c>axes</c>
/// input (known when the plan is made), or every size-1 axis when axes is absent.
/// </summary>
public sealed class SqueezeOperator : Int64ArgumentsOperator
{
    public SqueezeOperator(NodeProto node) : base(node, 1, 2) => NodeAttributes.Read(node);

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        var input = inputs[0].RequiredShape;
        var rank = input.Length;
        Span<bool> removed = stackalloc bool[rank];
        if (inputs.Length < 2 || !inputs[1].IsPresent)
        {
            for (var i = 0; i < rank; i++) removed[i] = input[i] == 1;
        }
        else
        {
            var axes = inputs[1].Value.As<long>().Span;
            foreach (var a in axes)
            {
                var axis = a < 0 ? a + rank : a;
                if (axis < 0 || axis >= rank || removed[(int)axis])
                    throw ShapeError($"axes ({string.Join(", ", axes.ToArray())}) must be distinct and within [{-rank}, {rank - 1}] for input {ShapeText(input)}");
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
        outputs[0] = shape;
    }

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs) => Kernels.TypedArrays.Copy(inputs[0], outputs[0]);
}
