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

/// <summary>Add, Sub, Mul, Div (and Pow) over float32 (vectorized) and int64.</summary>
public abstract class ArithmeticOperator(NodeProto node) : ElementwiseBinaryOperator(node)
{
    protected override TensorElementType[] InputTypes { get; } = [TensorElementType.Float32, TensorElementType.Int64];

    public sealed override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        if (inputs[0].ElementType == TensorElementType.Float32)
        {
            TensorView<float> x = inputs[0].As<float>(), y = inputs[1].As<float>(), z = outputs[0].As<float>();
            Compute(x.Span, x.Shape, y.Span, y.Shape, z.Span, z.Shape);
        }
        else
        {
            TensorView<long> x = inputs[0].As<long>(), y = inputs[1].As<long>(), z = outputs[0].As<long>();
            Compute(x.Span, x.Shape, y.Span, y.Shape, z.Span, z.Shape);
        }
    }

    protected abstract void Compute(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape,
        Span<float> destination, ReadOnlySpan<int> destinationShape);

    protected abstract void Compute(ReadOnlySpan<long> x, ReadOnlySpan<int> xShape, ReadOnlySpan<long> y, ReadOnlySpan<int> yShape,
        Span<long> destination, ReadOnlySpan<int> destinationShape);
}

/// <summary>ONNX Add with broadcasting.</summary>
public sealed class AddOperator(NodeProto node) : ArithmeticOperator(node)
{
    protected override void Compute(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<float> destination, ReadOnlySpan<int> destinationShape) =>
        BroadcastBinaryKernel.Add(x, xShape, y, yShape, destination, destinationShape);

    protected override void Compute(ReadOnlySpan<long> x, ReadOnlySpan<int> xShape, ReadOnlySpan<long> y, ReadOnlySpan<int> yShape, Span<long> destination, ReadOnlySpan<int> destinationShape) =>
        ScalarBroadcastKernel.Binary<long, long, Int64Add>(x, xShape, y, yShape, destination, destinationShape);

    private readonly struct Int64Add : IElementFunction<long, long>
    {
        public static long Apply(long x, long y) => x + y;
    }
}

/// <summary>ONNX Sub with broadcasting.</summary>
public sealed class SubOperator(NodeProto node) : ArithmeticOperator(node)
{
    protected override void Compute(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<float> destination, ReadOnlySpan<int> destinationShape) =>
        BroadcastBinaryKernel.Subtract(x, xShape, y, yShape, destination, destinationShape);

    protected override void Compute(ReadOnlySpan<long> x, ReadOnlySpan<int> xShape, ReadOnlySpan<long> y, ReadOnlySpan<int> yShape, Span<long> destination, ReadOnlySpan<int> destinationShape) =>
        ScalarBroadcastKernel.Binary<long, long, Int64Subtract>(x, xShape, y, yShape, destination, destinationShape);

    private readonly struct Int64Subtract : IElementFunction<long, long>
    {
        public static long Apply(long x, long y) => x - y;
    }
}

/// <summary>ONNX Mul with broadcasting.</summary>
public sealed class MulOperator(NodeProto node) : ArithmeticOperator(node)
{
    protected override void Compute(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<float> destination, ReadOnlySpan<int> destinationShape) =>
        BroadcastBinaryKernel.Multiply(x, xShape, y, yShape, destination, destinationShape);

    protected override void Compute(ReadOnlySpan<long> x, ReadOnlySpan<int> xShape, ReadOnlySpan<long> y, ReadOnlySpan<int> yShape, Span<long> destination, ReadOnlySpan<int> destinationShape) =>
        ScalarBroadcastKernel.Binary<long, long, Int64Multiply>(x, xShape, y, yShape, destination, destinationShape);

    private readonly struct Int64Multiply : IElementFunction<long, long>
    {
        public static long Apply(long x, long y) => x * y;
    }
}

/// <summary>ONNX Div with broadcasting; int64 division truncates toward zero, and dividing by zero is an error.</summary>
public sealed class DivOperator(NodeProto node) : ArithmeticOperator(node)
{
    protected override void Compute(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<float> destination, ReadOnlySpan<int> destinationShape) =>
        BroadcastBinaryKernel.Divide(x, xShape, y, yShape, destination, destinationShape);

    protected override void Compute(ReadOnlySpan<long> x, ReadOnlySpan<int> xShape, ReadOnlySpan<long> y, ReadOnlySpan<int> yShape, Span<long> destination, ReadOnlySpan<int> destinationShape) =>
        ScalarBroadcastKernel.Binary<long, long, Int64Divide>(x, xShape, y, yShape, destination, destinationShape);

    private readonly struct Int64Divide : IElementFunction<long, long>
    {
        public static long Apply(long x, long y) => x / y;
    }
}
