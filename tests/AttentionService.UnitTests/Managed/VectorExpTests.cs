using System.Runtime.Intrinsics;
using AttentionService.Backends.Managed.Kernels;

namespace AttentionService.Tests.Managed;

/// <summary>The float e^x each vector width uses inside softmax, against double-precision Math.Exp.</summary>
public class VectorExpTests
{
    /// <summary>A few float ulps: the polynomial and the 2^n scaling each round once or twice.</summary>
    private const double RelativeTolerance = 5e-7;

    [Theory]
    [InlineData(KernelWidth.Lanes16)]
    [InlineData(KernelWidth.Lanes8)]
    [InlineData(KernelWidth.Lanes4)]
    [InlineData(KernelWidth.Scalar)]
    public void ExpMatchesMathExpAcrossTheNormalRange(KernelWidth width)
    {
        var x = ScalarReference.Random(33, 4096, -87f, 88f).Concat([0f, -1e-8f, 1f, -0.5f * MathF.Log(2), 88.3f, -87.3f]).ToArray();
        var y = Exp(width, x);
        for (var i = 0; i < x.Length; i++)
        {
            var expected = Math.Exp(x[i]);
            Assert.True(Math.Abs(y[i] - expected) <= RelativeTolerance * expected, $"exp({x[i]}): expected {expected}, got {y[i]}");
        }
    }

    [Theory]
    [InlineData(KernelWidth.Lanes16)]
    [InlineData(KernelWidth.Lanes8)]
    [InlineData(KernelWidth.Lanes4)]
    [InlineData(KernelWidth.Scalar)]
    public void ExpOfNegativeInfinityAndTinyInputsIsExactlyZero(KernelWidth width)
    {
        float[] x = [float.NegativeInfinity, -1000f, -87.5f, float.NegativeInfinity];
        Assert.All(Exp(width, x), value => Assert.Equal(0f, value));
    }

    private static float[] Exp(KernelWidth width, float[] x)
    {
        var y = new float[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            y[i] = width switch
            {
                KernelWidth.Lanes16 => Simd512.Exp(Vector512.Create(x[i])).GetElement(0),
                KernelWidth.Lanes8 => Simd256.Exp(Vector256.Create(x[i])).GetElement(0),
                KernelWidth.Lanes4 => Simd128.Exp(Vector128.Create(x[i])).GetElement(0),
                _ => SimdScalar.Exp(x[i]),
            };
        }
        return y;
    }
}
