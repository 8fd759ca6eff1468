using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>Equal, Less, LessOrEqual, Greater, GreaterOrEqual: a BOOL tensor from two float32 or int64 inputs, broadcasting.</summary>
public abstract class ComparisonOperator(NodeProto node) : ElementwiseBinaryOperator(node)
{
    protected override TensorElementType[] InputTypes { get; } = [TensorElementType.Float32, TensorElementType.Int64];

    protected sealed override TensorElementType OutputType(TensorElementType input) => TensorElementType.Bool;

    public sealed override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        var z = outputs[0].As<bool>();
        if (inputs[0].ElementType == TensorElementType.Float32)
        {
            TensorView<float> x = inputs[0].As<float>(), y = inputs[1].As<float>();
            Compare(x.Span, x.Shape, y.Span, y.Shape, z.Span, z.Shape);
        }
        else if (inputs[0].ElementType == TensorElementType.Int64)
        {
            TensorView<long> x = inputs[0].As<long>(), y = inputs[1].As<long>();
            Compare(x.Span, x.Shape, y.Span, y.Shape, z.Span, z.Shape);
        }
        else
        {
            TensorView<bool> x = inputs[0].As<bool>(), y = inputs[1].As<bool>();
            ScalarBroadcastKernel.Binary<bool, bool, BoolEqual>(x.Span, x.Shape, y.Span, y.Shape, z.Span, z.Shape);
        }
    }

    protected abstract void Compare(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<bool> destination, ReadOnlySpan<int> shape);

    protected abstract void Compare(ReadOnlySpan<long> x, ReadOnlySpan<int> xShape, ReadOnlySpan<long> y, ReadOnlySpan<int> yShape, Span<bool> destination, ReadOnlySpan<int> shape);

    private readonly struct BoolEqual : IElementFunction<bool, bool>
    {
        public static bool Apply(bool x, bool y) => x == y;
    }
}

/// <summary>ONNX Equal (float32, int64 and bool).</summary>
public sealed class EqualOperator(NodeProto node) : ComparisonOperator(node)
{
    protected override TensorElementType[] InputTypes { get; } = [TensorElementType.Float32, TensorElementType.Int64, TensorElementType.Bool];

    protected override void Compare(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<bool> destination, ReadOnlySpan<int> shape) =>
        ScalarBroadcastKernel.Binary<float, bool, Function<float>>(x, xShape, y, yShape, destination, shape);

    protected override void Compare(ReadOnlySpan<long> x, ReadOnlySpan<int> xShape, ReadOnlySpan<long> y, ReadOnlySpan<int> yShape, Span<bool> destination, ReadOnlySpan<int> shape) =>
        ScalarBroadcastKernel.Binary<long, bool, Function<long>>(x, xShape, y, yShape, destination, shape);

    private readonly struct Function<T> : IElementFunction<T, bool> where T : System.Numerics.INumber<T>
    {
        public static bool Apply(T x, T y) => x == y;
    }
}

/// <summary>ONNX Less.</summary>
public sealed class LessOperator(NodeProto node) : ComparisonOperator(node)
{
    protected override void Compare(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<bool> destination, ReadOnlySpan<int> shape) =>
        ScalarBroadcastKernel.Binary<float, bool, Function<float>>(x, xShape, y, yShape, destination, shape);

    protected override void Compare(ReadOnlySpan<long> x, ReadOnlySpan<int> xShape, ReadOnlySpan<long> y, ReadOnlySpan<int> yShape, Span<bool> destination, ReadOnlySpan<int> shape) =>
        ScalarBroadcastKernel.Binary<long, bool, Function<long>>(x, xShape, y, yShape, destination, shape);

    private readonly struct Function<T> : IElementFunction<T, bool> where T : System.Numerics.INumber<T>
    {
        public static bool Apply(T x, T y) => x < y;
    }
}

/// <summary>ONNX LessOrEqual.</summary>
public sealed class LessOrEqualOperator(NodeProto node) : ComparisonOperator(node)
{
    protected override void Compare(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<bool> destination, ReadOnlySpan<int> shape) =>
        ScalarBroadcastKernel.Binary<float, bool, Function<float>>(x, xShape, y, yShape, destination, shape);

    protected override void Compare(ReadOnlySpan<long> x, ReadOnlySpan<int> xShape, ReadOnlySpan<long> y, ReadOnlySpan<int> yShape, Span<bool> destination, ReadOnlySpan<int> shape) =>
        ScalarBroadcastKernel.Binary<long, bool, Function<long>>(x, xShape, y, yShape, destination, shape);

    private readonly struct Function<T> : IElementFunction<T, bool> where T : System.Numerics.INumber<T>
    {
        public static bool Apply(T x, T y) => x <= y;
    }
}

/// <summary>ONNX Greater.</summary>
public sealed class GreaterOperator(NodeProto node) : ComparisonOperator(node)
{
    protected override void Compare(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<bool> destination, ReadOnlySpan<int> shape) =>
        ScalarBroadcastKernel.Binary<float, bool, Function<float>>(x, xShape, y, yShape, destination, shape);

    protected override void Compare(ReadOnlySpan<long> x, ReadOnlySpan<int> xShape, ReadOnlySpan<long> y, ReadOnlySpan<int> yShape, Span<bool> destination, ReadOnlySpan<int> shape) =>
        ScalarBroadcastKernel.Binary<long, bool, Function<long>>(x, xShape, y, yShape, destination, shape);

    private readonly struct Function<T> : IElementFunction<T, bool> where T : System.Numerics.INumber<T>
    {
        public static bool Apply(T x, T y) => x > y;
    }
}

/// <summary>ONNX GreaterOrEqual.</summary>
public sealed class GreaterOrEqualOperator(NodeProto node) : ComparisonOperator(node)
{
    protected override void Compare(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<bool> destination, ReadOnlySpan<int> shape) =>
        ScalarBroadcastKernel.Binary<float, bool, Function<float>>(x, xShape, y, yShape, destination, shape);

    protected override void Compare(ReadOnlySpan<long> x, ReadOnlySpan<int> xShape, ReadOnlySpan<long> y, ReadOnlySpan<int> yShape, Span<bool> destination, ReadOnlySpan<int> shape) =>
        ScalarBroadcastKernel.Binary<long, bool, Function<long>>(x, xShape, y, yShape, destination, shape);

    private readonly struct Function<T> : IElementFunction<T, bool> where T : System.Numerics.INumber<T>
    {
        public static bool Apply(T x, T y) => x >= y;
    }
}
