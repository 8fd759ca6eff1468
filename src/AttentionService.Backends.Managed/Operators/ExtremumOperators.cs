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
public sealed class ExtremumOperator<TExtremum> : Operator where TExtremum : struct, IExtremum
{
    public ExtremumOperator(NodeProto node) : base(node, 1, int.MaxValue) => NodeAttributes.Read(node);

    public override void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs)
    {
        for (var i = 0; i < inputs.Length; i++)
        {
            RequireType(inputs, i, TensorElementType.Float32, TensorElementType.Int64);
            if (inputs[i] != inputs[0])
                throw Unsupported($"has inputs of two types ({inputs[0]?.ToWireName()} and {inputs[i]?.ToWireName()} at input {i})");
        }
        outputs[0] = inputs[0]!.Value;
    }

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
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

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
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

    private static void Fold(TensorView<float> x, TensorView<float> y, TensorView<float> destination)
    {
        var full = destination.Length;
        if (x.Length == full && y.Length == full) TExtremum.Combine(x.Span, y.Span, destination.Span);
        else if (x.Length == full && y.Length == 1) TExtremum.Combine(x.Span, y.Span[0], destination.Span);
        else if (y.Length == full && x.Length == 1) TExtremum.Combine(y.Span, x.Span[0], destination.Span);
        else ScalarBroadcastKernel.Binary<float, float, TExtremum>(x.Span, x.Shape, y.Span, y.Shape, destination.Span, destination.Shape);
    }

    private static void Fold(TensorView<long> x, TensorView<long> y, TensorView<long> destination) =>
        ScalarBroadcastKernel.Binary<long, long, TExtremum>(x.Span, x.Shape, y.Span, y.Shape, destination.Span, destination.Shape);
}

/// <summary>An extremum of two elements, and its TensorPrimitives vector loops, for <see cref="ExtremumOperator{TExtremum}"/>.</summary>
public interface IExtremum : IElementFunction<float, float>, IElementFunction<long, long>
{
    static abstract void Combine(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination);

    static abstract void Combine(ReadOnlySpan<float> x, float y, Span<float> destination);
}

/// <summary>ONNX Max and Min.</summary>
public static class Extremum
{
    public readonly struct Max : IExtremum
    {
        public static float Apply(float x, float y) => MathF.Max(x, y);
        public static long Apply(long x, long y) => Math.Max(x, y);
        public static void Combine(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) => TensorPrimitives.Max(x, y, destination);
        public static void Combine(ReadOnlySpan<float> x, float y, Span<float> destination) => TensorPrimitives.Max(x, y, destination);
    }

    public readonly struct Min : IExtremum
    {
        public static float Apply(float x, float y) => MathF.Min(x, y);
        public static long Apply(long x, long y) => Math.Min(x, y);
        public static void Combine(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) => TensorPrimitives.Min(x, y, destination);
        public static void Combine(ReadOnlySpan<float> x, float y, Span<float> destination) => TensorPrimitives.Min(x, y, destination);
    }
}
