using System.Numerics.Tensors;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// x^y for a float32 base and a float32 or int64 exponent with numpy broadcasting. A single exponent over the whole
/// base (the common x^2, x^0.5 of exported normalizations) and same-shape operands use TensorPrimitives; anything else
/// walks the broadcast one element at a time. An int64 exponent is applied in double precision, as numpy's float32
/// ** int64 (which computes in float64) does.
/// </summary>
public static class PowKernel
{
    public static void Pow(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<float> y, ReadOnlySpan<int> yShape,
        Span<float> destination, ReadOnlySpan<int> shape)
    {
        BroadcastShapes.ValidateDestination(shape, destination.Length);
        if (x.Length == destination.Length && xShape.SequenceEqual(shape))
        {
            if (y.Length == 1)
            {
                // x·x is exactly the correctly rounded x², and twice as fast as a general power.
                if (y[0] == 2f) TensorPrimitives.Multiply(x, x, destination);
                else TensorPrimitives.Pow(x, y[0], destination);
                return;
            }
            if (yShape.SequenceEqual(shape))
            {
                TensorPrimitives.Pow(x, y, destination);
                return;
            }
        }
        ScalarBroadcastKernel.Binary<float, float, FloatExponent>(x, xShape, y, yShape, destination, shape);
    }

    public static void Pow(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape, ReadOnlySpan<long> y, ReadOnlySpan<int> yShape,
        Span<float> destination, ReadOnlySpan<int> shape)
    {
        BroadcastShapes.ValidateDestination(shape, destination.Length);
        ScalarBroadcastKernel.Binary<float, long, float, Int64Exponent>(x, xShape, y, yShape, destination, shape);
    }

    private readonly struct FloatExponent : IElementFunction<float, float>
    {
        public static float Apply(float x, float y) => MathF.Pow(x, y);
    }

    private readonly struct Int64Exponent : IElementFunction<float, long, float>
    {
        public static float Apply(float x, long y) => (float)Math.Pow(x, y);
    }
}
