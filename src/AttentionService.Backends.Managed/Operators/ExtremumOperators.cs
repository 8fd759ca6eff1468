using System.Numerics.Tensors;
using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// Max and Min: the elementwise extremum of one or more float32 or int64 inputs of one type, broadcasting them all
/// together. A NaN anywhere gives NaN (numpy's maximum and minimum, ONNX's reference). The first two inputs fold into
/// the output, each further one folds into it in place; same-shape and single-value operands take TensorPrimitives'
/// vector loops, other broadcasts go one element at a time.
/// </summary>
public abstract class ExtremumOperator : Operator
{
    protected ExtremumOperator(NodeProto node) : base(node, 1, int.MaxValue) => NodeAttributes.Read(node);

    public sealed override void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs)
    {
        for (var i = 0; i < inputs.Length; i++)
        {
            RequireType(inputs, i, TensorElementType.Float32, TensorElementType.Int64);
            if (inputs[i] != inputs[0])
                throw Unsupported($"has inputs of two types ({inputs[0]?.ToWireName()} and {inputs[i]?.ToWireName()} at input {i})");
        }
        outputs[0] = inputs[0]!.Value;
    }

    public sealed override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        var shape = inputs[0].RequiredShape;
        for (var i = 1; i < inputs.Length; i++)
        {
            try
            {
                shape = BroadcastShapes.Broadcast(shape, inputs[i].RequiredShape);
            }
            catch (ArgumentException e)
            {
                throw ShapeError(e.Message);
            }
        }
        if (shape.Length > BroadcastShapes.MaxRank)
            throw ShapeError($"output rank {shape.Length} exceeds {BroadcastShapes.MaxRank}");
        outputs[0] = (int[])shape.Clone();
    }

    public sealed override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        var destination = outputs[0];
        if (inputs.Length == 1)
        {
            TypedArrays.Copy(inputs[0], destination);
            return;
        }
        for (var i = 1; i < inputs.Length; i++)
        {
            // The running result lives in the destination from the second input on.
            var left = i == 1 ? inputs[0] : destination;
            if (destination.ElementType == TensorElementType.Int64) Fold(left.As<long>(), inputs[i].As<long>(), destination.As<long>());
            else Fold(left.As<float>(), inputs[i].As<float>(), destination.As<float>());
        }
    }

    private void Fold(TensorView<float> x, TensorView<float> y, TensorView<float> destination)
    {
        var full = destination.Length;
        if (x.Length == full && y.Length == full) Combine(x.Span, y.Span, destination.Span);
        else if (x.Length == full && y.Length == 1) Combine(x.Span, y.Span[0], destination.Span);
        else if (y.Length == full && x.Length == 1) Combine(y.Span, x.Span[0], destination.Span);
        else Broadcast(x.Span, x.Shape, y.Span, y.Shape, destination.Span, destination.Shape);
    }

    private void Fold(TensorView<long> x, TensorView<long> y, TensorView<long> destination) =>
        Broadcast(x.Span, x.Shape, y.Span, y.Shape, destination.Span, destination.Shape);

    protected abstract void Combine(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination);

    protected abstract void Combine(ReadOnlySpan<float> x, float y, Span<float> destination);

    protected abstract void Broadcast(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<float> destination, ReadOnlySpan<int> shape);

    protected abstract void Broadcast(ReadOnlySpan<long> x, ReadOnlySpan<int> xShape, ReadOnlySpan<long> y, ReadOnlySpan<int> yShape, Span<long> destination, ReadOnlySpan<int> shape);
}

/// <summary>ONNX Max (variadic, broadcasting).</summary>
public sealed class MaxOperator(NodeProto node) : ExtremumOperator(node)
{
    protected override void Combine(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) => TensorPrimitives.Max(x, y, destination);

    protected override void Combine(ReadOnlySpan<float> x, float y, Span<float> destination) => TensorPrimitives.Max(x, y, destination);

    protected override void Broadcast(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<float> destination, ReadOnlySpan<int> shape) =>
        ScalarBroadcastKernel.Binary<float, float, FloatMax>(x, xShape, y, yShape, destination, shape);

    protected override void Broadcast(ReadOnlySpan<long> x, ReadOnlySpan<int> xShape, ReadOnlySpan<long> y, ReadOnlySpan<int> yShape, Span<long> destination, ReadOnlySpan<int> shape) =>
        ScalarBroadcastKernel.Binary<long, long, Int64Max>(x, xShape, y, yShape, destination, shape);

    private readonly struct FloatMax : IElementFunction<float, float>
    {
        public static float Apply(float x, float y) => MathF.Max(x, y);
    }

    private readonly struct Int64Max : IElementFunction<long, long>
    {
        public static long Apply(long x, long y) => Math.Max(x, y);
    }
}

/// <summary>ONNX Min (variadic, broadcasting).</summary>
public sealed class MinOperator(NodeProto node) : ExtremumOperator(node)
{
    protected override void Combine(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) => TensorPrimitives.Min(x, y, destination);

    protected override void Combine(ReadOnlySpan<float> x, float y, Span<float> destination) => TensorPrimitives.Min(x, y, destination);

    protected override void Broadcast(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, Span<float> destination, ReadOnlySpan<int> shape) =>
        ScalarBroadcastKernel.Binary<float, float, FloatMin>(x, xShape, y, yShape, destination, shape);

    protected override void Broadcast(ReadOnlySpan<long> x, ReadOnlySpan<int> xShape, ReadOnlySpan<long> y, ReadOnlySpan<int> yShape, Span<long> destination, ReadOnlySpan<int> shape) =>
        ScalarBroadcastKernel.Binary<long, long, Int64Min>(x, xShape, y, yShape, destination, shape);

    private readonly struct FloatMin : IElementFunction<float, float>
    {
        public static float Apply(float x, float y) => MathF.Min(x, y);
    }

    private readonly struct Int64Min : IElementFunction<long, long>
    {
        public static long Apply(long x, long y) => Math.Min(x, y);
    }
}
