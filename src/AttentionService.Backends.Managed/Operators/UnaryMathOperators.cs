using System.Numerics.Tensors;
using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>ONNX Exp (float32; overflow gives +inf, underflow 0).</summary>
public sealed class ExpOperator(NodeProto node) : ElementwiseUnaryOperator(node)
{
    protected override void Compute(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Exp(x, destination);
}

/// <summary>ONNX Log (float32; log 0 = −inf, a negative input gives NaN).</summary>
public sealed class LogOperator(NodeProto node) : ElementwiseUnaryOperator(node)
{
    protected override void Compute(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Log(x, destination);
}

/// <summary>ONNX Reciprocal (float32; 1/0 = inf).</summary>
public sealed class ReciprocalOperator(NodeProto node) : ElementwiseUnaryOperator(node)
{
    protected override void Compute(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Reciprocal(x, destination);
}

/// <summary>ONNX Sigmoid, 1 / (1 + e^−x) (float32).</summary>
public sealed class SigmoidOperator(NodeProto node) : ElementwiseUnaryOperator(node)
{
    protected override void Compute(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Sigmoid(x, destination);
}

/// <summary>ONNX Erf (float32), within 1e-6 of the exact value (<see cref="ErfKernel"/>).</summary>
public sealed class ErfOperator(NodeProto node) : ElementwiseUnaryOperator(node)
{
    protected override void Compute(ReadOnlySpan<float> x, Span<float> destination) => ErfKernel.Erf(x, destination);
}

/// <summary>A one-input op over float32 (vectorized) and int64 whose output has the input's type and shape.</summary>
public abstract class SignedUnaryOperator(NodeProto node) : ElementwiseUnaryOperator(node)
{
    public sealed override void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs)
    {
        RequireType(inputs, 0, TensorElementType.Float32, TensorElementType.Int64);
        outputs[0] = inputs[0]!.Value;
    }

    public sealed override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        if (inputs[0].ElementType == TensorElementType.Int64) Compute(inputs[0].As<long>().Span, outputs[0].As<long>().Span);
        else Compute(inputs[0].As<float>().Span, outputs[0].As<float>().Span);
    }

    protected abstract void Compute(ReadOnlySpan<long> x, Span<long> destination);
}

/// <summary>ONNX Neg (float32 and int64; −long.MinValue wraps to itself, as in C).</summary>
public sealed class NegOperator(NodeProto node) : SignedUnaryOperator(node)
{
    protected override void Compute(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Negate(x, destination);

    protected override void Compute(ReadOnlySpan<long> x, Span<long> destination)
    {
        for (var i = 0; i < x.Length; i++) destination[i] = unchecked(-x[i]);
    }
}

/// <summary>ONNX Abs (float32 and int64; |long.MinValue| wraps to itself, as in C, where .NET's Math.Abs would throw).</summary>
public sealed class AbsOperator(NodeProto node) : SignedUnaryOperator(node)
{
    protected override void Compute(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Abs(x, destination);

    protected override void Compute(ReadOnlySpan<long> x, Span<long> destination)
    {
        for (var i = 0; i < x.Length; i++) destination[i] = x[i] < 0 ? unchecked(-x[i]) : x[i];
    }
}

/// <summary>ONNX Relu, max(x, 0) (float32 and, since opset 14, int64; NaN stays NaN).</summary>
public sealed class ReluOperator(NodeProto node) : SignedUnaryOperator(node)
{
    protected override void Compute(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Max(x, 0f, destination);

    protected override void Compute(ReadOnlySpan<long> x, Span<long> destination) => TensorPrimitives.Max(x, 0L, destination);
}
