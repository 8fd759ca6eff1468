using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>A two-input elementwise op with multidirectional (numpy) broadcasting; both inputs have one element type.</summary>
public abstract class ElementwiseBinaryOperator : Operator
{
    protected ElementwiseBinaryOperator(NodeProto node) : base(node, 2, 2) => NodeAttributes.Read(node);

    /// <summary>The input element types the op takes.</summary>
    protected abstract TensorElementType[] InputTypes { get; }

    /// <summary>The output element type for inputs of <paramref name="input"/>.</summary>
    protected virtual TensorElementType OutputType(TensorElementType input) => input;

    public sealed override void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs)
    {
        RequireType(inputs, 0, InputTypes);
        RequireType(inputs, 1, InputTypes);
        if (inputs[0] != inputs[1])
            throw Unsupported($"has inputs of two types ({inputs[0]?.ToWireName()}, {inputs[1]?.ToWireName()})");
        outputs[0] = OutputType(inputs[0]!.Value);
    }

    public sealed override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        int[] shape;
        try
        {
            shape = BroadcastShapes.Broadcast(inputs[0].RequiredShape, inputs[1].RequiredShape);
        }
        catch (ArgumentException e)
        {
            throw ShapeError(e.Message);
        }
        if (shape.Length > BroadcastShapes.MaxRank)
            throw ShapeError($"output rank {shape.Length} exceeds {BroadcastShapes.MaxRank}");
        outputs[0] = shape;
    }
}

/// <summary>
/// Add, Sub, Mul, Div over float32 (vectorized, <see cref="BroadcastBinaryKernel"/>) and int64 (one element at a
/// time); <typeparamref name="TArithmetic"/> is the operation.
/// </summary>
public sealed class ArithmeticOperator<TArithmetic>(NodeProto node) : ElementwiseBinaryOperator(node)
    where TArithmetic : struct, IArithmetic
{
    protected override TensorElementType[] InputTypes { get; } = [TensorElementType.Float32, TensorElementType.Int64];

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        if (inputs[0].ElementType == TensorElementType.Float32)
        {
            TensorView<float> x = inputs[0].As<float>(), y = inputs[1].As<float>(), z = outputs[0].As<float>();
            TArithmetic.Apply(x.Span, x.Shape, y.Span, y.Shape, z.Span, z.Shape);
        }
        else
        {
            TensorView<long> x = inputs[0].As<long>(), y = inputs[1].As<long>(), z = outputs[0].As<long>();
            ScalarBroadcastKernel.Binary<long, long, TArithmetic>(x.Span, x.Shape, y.Span, y.Shape, z.Span, z.Shape);
        }
    }
}

/// <summary>An arithmetic operation on int64 elements and, vectorized, on broadcast float32 tensors.</summary>
public interface IArithmetic : IElementFunction<long, long>
{
    static abstract void Apply(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape,
        Span<float> destination, ReadOnlySpan<int> shape);
}

/// <summary>ONNX Add, Sub, Mul and Div.</summary>
public static class Arithmetic
{
    public readonly struct Add : IArithmetic
    {
        public static long Apply(long x, long y) => x + y;

        public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<float> destination, ReadOnlySpan<int> shape) =>
            BroadcastBinaryKernel.Add(x, xShape, y, yShape, destination, shape);
    }

    public readonly struct Subtract : IArithmetic
    {
        public static long Apply(long x, long y) => x - y;

        public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<float> destination, ReadOnlySpan<int> shape) =>
            BroadcastBinaryKernel.Subtract(x, xShape, y, yShape, destination, shape);
    }

    public readonly struct Multiply : IArithmetic
    {
        public static long Apply(long x, long y) => x * y;

        public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<float> destination, ReadOnlySpan<int> shape) =>
            BroadcastBinaryKernel.Multiply(x, xShape, y, yShape, destination, shape);
    }

    /// <summary>int64 division truncates toward zero, and dividing by zero is an error.</summary>
    public readonly struct Divide : IArithmetic
    {
        public static long Apply(long x, long y) => x / y;

        public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<float> destination, ReadOnlySpan<int> shape) =>
            BroadcastBinaryKernel.Divide(x, xShape, y, yShape, destination, shape);
    }
}
