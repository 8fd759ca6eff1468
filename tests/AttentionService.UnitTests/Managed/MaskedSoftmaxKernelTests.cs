using System.Runtime.Intrinsics;
using AttentionService.Backends.Managed.Kernels;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Managed;

/// <summary>
/// The fused scale-mask-softmax against the chain it replaces (Mul, Where, Softmax kernels one after another, at the
/// same width: identical bits) and against the double-precision scalar twin, with the condition broadcast in the
/// ways attention graphs broadcast it.
/// </summary>
public class MaskedSoftmaxKernelTests
{
    private const double Tolerance = 1e-6;

    public static TheoryData<KernelWidth, int[], int[], bool> Cases()
    {
        var data = new TheoryData<KernelWidth, int[], int[], bool>();
        foreach (var width in Enum.GetValues<KernelWidth>())
            foreach (var threshold in new[] { false, true })
            {
                data.Add(width, [3, 37], [3, 37], threshold);
                data.Add(width, [2, 3, 5, 19], [2, 1, 5, 19], threshold);
                data.Add(width, [2, 4, 70], [4, 70], threshold);
                data.Add(width, [2, 3, 33], [2, 3, 1], threshold);
                data.Add(width, [1, 1, 16], [1, 1, 16], threshold);
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EqualsMulWhereSoftmaxAtTheSameWidthBitForBit(KernelWidth width, int[] shape, int[] conditionShape, bool threshold)
    {
        var (x, condition, expectedMasked) = Case(shape, conditionShape, threshold, scale: 0.25f);
        var expected = new float[x.Length];
        var actual = new float[x.Length];
        switch (width)
        {
            case KernelWidth.Lanes16: Run<Simd512, Vector512<float>>(); break;
            case KernelWidth.Lanes8: Run<Simd256, Vector256<float>>(); break;
            case KernelWidth.Lanes4: Run<Simd128, Vector128<float>>(); break;
            default: Run<SimdScalar, float>(); break;
        }
        Assert.Equal(expected, actual);
        for (var i = 0; i < x.Length; i++)
            if (float.IsNegativeInfinity(expectedMasked[i])) Assert.Equal(0f, actual[i]);
        Numerics.AssertClose(ScalarReference.Softmax(expectedMasked, x.Length / shape[^1], shape[^1], 1), actual, Tolerance);

        void Run<TSimd, TVector>() where TSimd : struct, ISimd<TVector> where TVector : struct
        {
            AxisSoftmaxKernel<SoftmaxKernel.Probabilities>.Rows<TSimd, TVector>(expectedMasked, expected, shape[^1]);
            MaskedSoftmaxKernel.Above<TSimd, TVector>(x, shape, condition, conditionShape, 0.5f, 0.25f, float.NegativeInfinity, actual);
        }
    }

    [Fact]
    public void PublicEntryPointsMaskScaleAndNormalize()
    {
        int[] shape = [4, 45];
        var (x, condition, masked) = Case(shape, shape, threshold: true, scale: 3f);
        var y = new float[x.Length];
        MaskedSoftmaxKernel.Above(x, shape, condition, shape, 0.5f, 3f, float.NegativeInfinity, y);
        Numerics.AssertClose(ScalarReference.Softmax(masked, 4, 45, 1), y, Tolerance);
    }

    [Fact]
    public void FiniteFillKeepsMaskedPositionsSmallButNotZero()
    {
        int[] shape = [1, 20];
        var x = ScalarReference.Random(3, 20);
        var condition = Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? 1f : 0f).ToArray();
        var y = new float[20];
        MaskedSoftmaxKernel.Above(x, shape, condition, shape, 0.5f, 1f, -10f, y);
        var masked = x.Select((v, i) => condition[i] != 0 ? v : -10f).ToArray();
        Numerics.AssertClose(ScalarReference.Softmax(masked, 1, 20, 1), y, Tolerance);
    }

    [Fact]
    public void ConditionThatDoesNotBroadcastToXThrows() =>
        Assert.Throws<ArgumentException>("condition", () =>
            MaskedSoftmaxKernel.Above(new float[6], [2, 3], new float[4], [2, 2], 0.5f, 1f, float.NegativeInfinity, new float[6]));

    [Fact]
    public void DestinationLengthMismatchThrows() =>
        Assert.Throws<ArgumentException>("destination", () =>
            MaskedSoftmaxKernel.Above(new float[6], [2, 3], new float[6], [2, 3], 0.5f, 1f, float.NegativeInfinity, new float[5]));

    /// <summary>x, a condition in [0, 1) (attend where &gt; 0.5 when <paramref name="threshold"/>, else 0/1 values), and scale·x masked to -inf.</summary>
    private static (float[] X, float[] Condition, float[] Masked) Case(int[] shape, int[] conditionShape, bool threshold, float scale)
    {
        var x = ScalarReference.Random(21, ScalarReference.Count(shape), -6f, 6f);
        var condition = ScalarReference.Random(22, ScalarReference.Count(conditionShape), 0f, 1f);
        if (!threshold) condition = condition.Select(c => c > 0.5f ? 1f : 0f).ToArray();
        // Every row keeps its first position, so no row is all -inf.
        if (conditionShape[^1] > 1)
            for (var i = 0; i < condition.Length; i += conditionShape[^1]) condition[i] = 1f;
        else
            for (var i = 0; i < condition.Length; i++) condition[i] = 1f;
        var masked = new float[x.Length];
        for (var flat = 0; flat < x.Length; flat++)
        {
            var c = condition[ScalarReference.BroadcastSource(ScalarReference.Unravel(flat, shape), conditionShape)];
            masked[flat] = (threshold ? c > 0.5f : c != 0f) ? x[flat] * scale : float.NegativeInfinity;
        }
        return (x, condition, masked);
    }
}
