using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// Softmax over the last axis of <c>where(attend, scale · x, fill)</c> in one kernel: the scaled and masked scores
/// never exist as tensors of their own. Pass one writes the masked scores into the destination row and finds its
/// maximum; passes two and three are <see cref="SoftmaxKernel"/>'s, in place, so every number (and exp(-inf) = 0 for a
/// masked position) is the one Mul, Where and Softmax give one after another. <c>attend</c> is
/// <c>condition &gt; threshold</c> (the folded Greater).
/// The condition broadcasts to x's shape (numpy rules).
/// </summary>
public static class MaskedSoftmaxKernel
{
    /// <summary><paramref name="destination"/> = softmax(where(condition &gt; threshold, scale·x, fill)) along the last axis.</summary>
    public static void Above(ReadOnlySpan<float> x, ReadOnlySpan<int> shape, ReadOnlySpan<float> condition, ReadOnlySpan<int> conditionShape,
        float threshold, float scale, float fill, Span<float> destination) =>
        Run<AboveTest>(x, shape, condition, conditionShape, scale, threshold, fill, destination);

    private static void Run<TTest>(ReadOnlySpan<float> x, ReadOnlySpan<int> shape, ReadOnlySpan<float> condition, ReadOnlySpan<int> conditionShape,
        float scale, float threshold, float fill, Span<float> destination) where TTest : IConditionTest
    {
        var rowLength = shape.Length == 0 ? 1 : shape[^1];
        var body = new Body<TTest>(x, shape, condition, conditionShape, scale, threshold, fill, destination);
        VectorDispatch.Run(body, x.Length, rowLength, computeBound: true);
    }

    private readonly ref struct Body<TTest>(ReadOnlySpan<float> x, ReadOnlySpan<int> shape, ReadOnlySpan<float> condition, ReadOnlySpan<int> conditionShape,
        float scale, float threshold, float fill, Span<float> destination) : IVectorBody
        where TTest : IConditionTest
    {
        private readonly ReadOnlySpan<float> _x = x;
        private readonly ReadOnlySpan<int> _shape = shape;
        private readonly ReadOnlySpan<float> _condition = condition;
        private readonly ReadOnlySpan<int> _conditionShape = conditionShape;
        private readonly Span<float> _destination = destination;

        public void Run<TSimd, TVector>() where TSimd : struct, ISimd<TVector> where TVector : struct =>
            MaskedSoftmaxKernel.Run<TTest, TSimd, TVector>(_x, _shape, _condition, _conditionShape, scale, threshold, fill, _destination);
    }

    internal static void Above<TSimd, TVector>(ReadOnlySpan<float> x, ReadOnlySpan<int> shape, ReadOnlySpan<float> condition, ReadOnlySpan<int> conditionShape,
        float threshold, float scale, float fill, Span<float> destination)
        where TSimd : struct, ISimd<TVector> where TVector : struct =>
        Run<AboveTest, TSimd, TVector>(x, shape, condition, conditionShape, scale, threshold, fill, destination);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<TTest, TSimd, TVector>(ReadOnlySpan<float> x, ReadOnlySpan<int> shape, ReadOnlySpan<float> condition,
        ReadOnlySpan<int> conditionShape, float scale, float threshold, float fill, Span<float> destination)
        where TTest : IConditionTest where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        BroadcastShapes.ValidateDestination(shape, x.Length);
        if (destination.Length != x.Length)
            throw new ArgumentException($"destination has {destination.Length} elements, x has {x.Length}", nameof(destination));
        var rank = shape.Length;
        Span<int> strides = stackalloc int[BroadcastShapes.MaxRank];
        BroadcastShapes.Strides(conditionShape, condition.Length, shape, strides[..rank], nameof(condition));
        if (x.IsEmpty) return;
        var rowLength = rank == 0 ? 1 : shape[^1];
        var conditionStep = rank == 0 ? 0 : strides[rank - 1];

        ref var x0 = ref MemoryMarshal.GetReference(x);
        ref var c0 = ref MemoryMarshal.GetReference(condition);
        ref var d0 = ref MemoryMarshal.GetReference(destination);
        Span<int> index = stackalloc int[BroadcastShapes.MaxRank];
        var conditionOffset = 0;
        for (var offset = 0; offset < x.Length; offset += rowLength)
        {
            ref var row = ref FloatRef.At(ref d0, offset);
            var max = MaskRow<TTest, TSimd, TVector>(ref FloatRef.At(ref x0, offset), ref FloatRef.At(ref c0, conditionOffset), conditionStep,
                scale, threshold, fill, ref row, rowLength);
            SoftmaxKernel.ExponentiateAndNormalize<TSimd, TVector>(ref row, ref row, rowLength, max);
            for (var axis = rank - 2; axis >= 0; axis--)
            {
                conditionOffset += strides[axis];
                if (++index[axis] < shape[axis]) break;
                conditionOffset -= strides[axis] * shape[axis];
                index[axis] = 0;
            }
        }
    }

    /// <summary>Writes <c>where(attend, scale·x, fill)</c> for one row and returns its maximum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float MaskRow<TTest, TSimd, TVector>(ref float x, ref float condition, int conditionStep, float scale, float threshold, float fill,
        ref float destination, int length)
        where TTest : IConditionTest where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        var width = TSimd.Count;
        var vectorLength = length - length % width;
        var scaleVector = TSimd.Broadcast(scale);
        var thresholdVector = TSimd.Broadcast(threshold);
        var fillVector = TSimd.Broadcast(fill);
        var repeated = TSimd.Broadcast(condition);
        TVector max0 = TSimd.Broadcast(float.NegativeInfinity), max1 = max0;
        var i = 0;
        for (; i + 2 * width <= vectorLength; i += 2 * width)
        {
            var v0 = Masked<TTest, TSimd, TVector>(ref FloatRef.At(ref x, i), ref FloatRef.At(ref condition, i * conditionStep), conditionStep, repeated, scaleVector, thresholdVector, fillVector);
            var v1 = Masked<TTest, TSimd, TVector>(ref FloatRef.At(ref x, i + width), ref FloatRef.At(ref condition, (i + width) * conditionStep), conditionStep, repeated, scaleVector, thresholdVector, fillVector);
            TSimd.Store(v0, ref FloatRef.At(ref destination, i));
            TSimd.Store(v1, ref FloatRef.At(ref destination, i + width));
            max0 = TSimd.Max(max0, v0);
            max1 = TSimd.Max(max1, v1);
        }
        for (; i < vectorLength; i += width)
        {
            var v = Masked<TTest, TSimd, TVector>(ref FloatRef.At(ref x, i), ref FloatRef.At(ref condition, i * conditionStep), conditionStep, repeated, scaleVector, thresholdVector, fillVector);
            TSimd.Store(v, ref FloatRef.At(ref destination, i));
            max0 = TSimd.Max(max0, v);
        }
        var maxVector = TSimd.Max(max0, max1);
        var max = TSimd.MaxAcross(maxVector);
        for (i = vectorLength; i < length; i++)
        {
            var c = FloatRef.At(ref condition, i * conditionStep);
            var v = SimdScalar.Select(TTest.Attends<SimdScalar, float>(c, threshold), FloatRef.At(ref x, i) * scale, fill);
            FloatRef.At(ref destination, i) = v;
            max = MathF.Max(max, v);
        }
        return max;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Masked<TTest, TSimd, TVector>(ref float x, ref float condition, int conditionStep, TVector repeated,
        TVector scale, TVector threshold, TVector fill)
        where TTest : IConditionTest where TSimd : struct, ISimd<TVector> where TVector : struct
    {
        var c = conditionStep == 0 ? repeated : TSimd.Load(ref condition);
        return TSimd.Select(TTest.Attends<TSimd, TVector>(c, threshold), TSimd.Multiply(TSimd.Load(ref x), scale), fill);
    }

    /// <summary>Which condition values attend: those above the folded Greater's threshold.</summary>
    private interface IConditionTest
    {
        /// <summary>Non-zero in each lane that attends.</summary>
        static abstract TVector Attends<TSimd, TVector>(TVector condition, TVector threshold)
            where TSimd : struct, ISimd<TVector> where TVector : struct;
    }

    private readonly struct AboveTest : IConditionTest
    {
        public static TVector Attends<TSimd, TVector>(TVector condition, TVector threshold)
            where TSimd : struct, ISimd<TVector> where TVector : struct => TSimd.GreaterAsOne(condition, threshold);
    }
}
