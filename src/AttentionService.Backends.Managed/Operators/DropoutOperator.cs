using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX Dropout (opset 13+) at inference: the output is the input and the optional mask is all true; ratio and seed
/// do not matter then. The training_mode input must be absent or known false when the plan is made: a value that could
/// be true (a graph input) is refused at load, and a known true one when the plan is made.
/// </summary>
public sealed class DropoutOperator : Operator
{
    public DropoutOperator(NodeProto node) : base(node, 1, 3, 1, 2) => NodeAttributes.Read(node, "seed");

    public override bool NeedsValue(int input) => input == 2;

    public override void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs)
    {
        RequireType(inputs, 0, TensorElementType.Float32);
        if (inputs.Length > 1) RequireType(inputs, 1, TensorElementType.Float32);
        if (inputs.Length > 2) RequireType(inputs, 2, TensorElementType.Bool);
        outputs[0] = TensorElementType.Float32;
        if (outputs.Length > 1) outputs[1] = TensorElementType.Bool;
    }

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        if (inputs.Length > 2 && inputs[2].IsPresent)
        {
            var trainingMode = inputs[2].Value.As<bool>().Span;
            if (trainingMode.Length != 1) throw ShapeError($"training_mode has shape {ShapeText(inputs[2].RequiredShape)}, expected a scalar");
            if (trainingMode[0])
                throw Unsupported($"runs in training mode (input '{Inputs[2]}' is true); the managed kernel implements inference only");
        }
        for (var k = 0; k < outputs.Length; k++) outputs[k] = (int[])inputs[0].RequiredShape.Clone();
    }

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        inputs[0].As<float>().Span.CopyTo(outputs[0].As<float>().Span);
        if (outputs.Length > 1) outputs[1].As<bool>().Span.Fill(true);
    }
}
