using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// Equal, Less, LessOrEqual, Greater, GreaterOrEqual: a BOOL tensor from two float32 or int64 inputs (Equal: also
/// bool), broadcasting; <typeparamref name="TComparison"/> is the comparison, one element at a time.
/// </summary>
public sealed class ComparisonOperator<TComparison>(NodeProto node) : ElementwiseBinaryOperator(node)
    where TComparison : struct, IComparison
{
    protected override TensorElementType[] InputTypes { get; } = TComparison.ComparesBool
        ? [TensorElementType.Float32, TensorElementType.Int64, TensorElementType.Bool]
        : [TensorElementType.Float32, TensorElementType.Int64];

    protected override TensorElementType OutputType(TensorElementType input) => TensorElementType.Bool;

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        var z = outputs[0].As<bool>();
        if (inputs[0].ElementType == TensorElementType.Float32)
        {
            TensorView<float> x = inputs[0].As<float>(), y = inputs[1].As<float>();
            ScalarBroadcastKernel.Binary<float, bool, TComparison>(x.Span, x.Shape, y.Span, y.Shape, z.Span, z.Shape);
        }
        else if (inputs[0].ElementType == TensorElementType.Int64)
        {
            TensorView<long> x = inputs[0].As<long>(), y = inputs[1].As<long>();
            ScalarBroadcastKernel.Binary<long, bool, TComparison>(x.Span, x.Shape, y.Span, y.Shape, z.Span, z.Shape);
        }
        else
        {
            TensorView<bool> x = inputs[0].As<bool>(), y = inputs[1].As<bool>();
            ScalarBroadcastKernel.Binary<bool, bool, BoolEqual>(x.Span, x.Shape, y.Span, y.Shape, z.Span, z.Shape);
        }
    }

    private readonly struct BoolEqual : IElementFunction<bool, bool>
    {
        public static bool Apply(bool x, bool y) => x == y;
    }
}

/// <summary>A comparison of two float32 or two int64 elements, for <see cref="ComparisonOperator{TComparison}"/>.</summary>
public interface IComparison : IElementFunction<float, bool>, IElementFunction<long, bool>
{
    /// <summary>Whether the op also takes BOOL inputs (only Equal does).</summary>
    static abstract bool ComparesBool { get; }
}

/// <summary>The comparisons ONNX defines, one per op.</summary>
public static class Comparison
{
    public readonly struct Equal : IComparison
    {
        public static bool ComparesBool => true;
        public static bool Apply(float x, float y) => x == y;
        public static bool Apply(long x, long y) => x == y;
    }

    public readonly struct Less : IComparison
    {
        public static bool ComparesBool => false;
        public static bool Apply(float x, float y) => x < y;
        public static bool Apply(long x, long y) => x < y;
    }

    public readonly struct LessOrEqual : IComparison
    {
        public static bool ComparesBool => false;
        public static bool Apply(float x, float y) => x <= y;
        public static bool Apply(long x, long y) => x <= y;
    }

    public readonly struct Greater : IComparison
    {
        public static bool ComparesBool => false;
        public static bool Apply(float x, float y) => x > y;
        public static bool Apply(long x, long y) => x > y;
    }

    public readonly struct GreaterOrEqual : IComparison
    {
        public static bool ComparesBool => false;
        public static bool Apply(float x, float y) => x >= y;
        public static bool Apply(long x, long y) => x >= y;
    }
}
