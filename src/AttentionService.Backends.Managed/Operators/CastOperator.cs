using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX Cast between FLOAT, INT64 and BOOL: float to int64 truncates toward zero, anything to bool is "non-zero", bool
/// to a number is 0 or 1. Other targets are refused at load.
/// </summary>
public sealed class CastOperator : Operator
{
    private readonly TensorElementType _to;

    public CastOperator(NodeProto node) : base(node, 1, 1)
    {
        // saturate (opset 19) only concerns float8 targets, which are refused below.
        var to = NodeAttributes.Read(node, "to", "saturate").RequiredInt("to");
        _to = TensorElementTypes.FromOnnx((int)to)
            ?? throw Unsupported($"casts to {(TensorProto.Types.DataType)to} ({to}); the managed backend computes in FLOAT, INT64 and BOOL");
    }

    public override void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs) => outputs[0] = _to;

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs) => outputs[0] = (int[])inputs[0].RequiredShape.Clone();

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        var x = inputs[0];
        var y = outputs[0];
        if (x.ElementType == y.ElementType)
        {
            Kernels.TypedArrays.Copy(x, y);
            return;
        }
        switch (x.ElementType, y.ElementType)
        {
            case (TensorElementType.Float32, TensorElementType.Int64): Convert(x.As<float>().Span, y.As<long>().Span, static v => (long)v); break;
            case (TensorElementType.Float32, TensorElementType.Bool): Convert(x.As<float>().Span, y.As<bool>().Span, static v => v != 0); break;
            case (TensorElementType.Int64, TensorElementType.Float32): Convert(x.As<long>().Span, y.As<float>().Span, static v => v); break;
            case (TensorElementType.Int64, TensorElementType.Bool): Convert(x.As<long>().Span, y.As<bool>().Span, static v => v != 0); break;
            case (TensorElementType.Bool, TensorElementType.Float32): Convert(x.As<bool>().Span, y.As<float>().Span, static v => v ? 1f : 0f); break;
            case (TensorElementType.Bool, TensorElementType.Int64): Convert(x.As<bool>().Span, y.As<long>().Span, static v => v ? 1L : 0L); break;
        }
    }

    private static void Convert<TIn, TOut>(ReadOnlySpan<TIn> x, Span<TOut> y, Func<TIn, TOut> convert)
    {
        for (var i = 0; i < x.Length; i++) y[i] = convert(x[i]);
    }
}
