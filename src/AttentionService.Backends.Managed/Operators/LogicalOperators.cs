using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>ONNX Not: elementwise negation of a BOOL tensor.</summary>
public sealed class NotOperator : Operator
{
    public NotOperator(NodeProto node) : base(node, 1, 1) => NodeAttributes.Read(node);

    public override void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs)
    {
        RequireType(inputs, 0, TensorElementType.Bool);
        outputs[0] = TensorElementType.Bool;
    }

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs) => outputs[0] = (int[])inputs[0].RequiredShape.Clone();

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        var x = inputs[0].As<bool>().Span;
        var destination = outputs[0].As<bool>().Span;
        for (var i = 0; i < x.Length; i++) destination[i] = !x[i];
    }
}

/// <summary>
/// And, Or, Xor: a BOOL tensor from two BOOL inputs, broadcasting (masks are small: one element at a time);
/// <typeparamref name="TLogic"/> is the operation.
/// </summary>
public sealed class LogicalOperator<TLogic>(NodeProto node) : ElementwiseBinaryOperator(node)
    where TLogic : struct, IElementFunction<bool, bool>
{
    protected override TensorElementType[] InputTypes { get; } = [TensorElementType.Bool];

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        TensorView<bool> x = inputs[0].As<bool>(), y = inputs[1].As<bool>(), z = outputs[0].As<bool>();
        ScalarBroadcastKernel.Binary<bool, bool, TLogic>(x.Span, x.Shape, y.Span, y.Shape, z.Span, z.Shape);
    }
}

/// <summary>ONNX And, Or and Xor.</summary>
public static class Logic
{
    public readonly struct And : IElementFunction<bool, bool>
    {
        public static bool Apply(bool x, bool y) => x & y;
    }

    public readonly struct Or : IElementFunction<bool, bool>
    {
        public static bool Apply(bool x, bool y) => x | y;
    }

    public readonly struct Xor : IElementFunction<bool, bool>
    {
        public static bool Apply(bool x, bool y) => x ^ y;
    }
}
