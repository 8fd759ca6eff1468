using AttentionService.Backends.Managed.Kernels;
using static AttentionService.Tests.Managed.Operators.NodeInput;

namespace AttentionService.Tests.Managed.Operators;

/// <summary>The vectorized erf at every width against a double-precision reference, and the Erf node against ONNX Runtime.</summary>
public class ErfTests
{
    private const double AbsoluteTolerance = 1e-6;

    [Theory]
    [InlineData(KernelWidth.Lanes16)]
    [InlineData(KernelWidth.Lanes8)]
    [InlineData(KernelWidth.Lanes4)]
    [InlineData(KernelWidth.Scalar)]
    public void ErfIsWithinOneMillionthOfTheExactValue(KernelWidth width)
    {
        // A dense sweep of [-6, 6] (both branches and the switch at 0.5) plus random points; 20011 is no vector multiple.
        var x = Enumerable.Range(0, 12001).Select(i => -6f + i * 0.001f)
            .Concat(ScalarReference.Random(3, 8010, -4f, 4f)).ToArray();
        var y = new float[x.Length];
        width.Run(new ErfKernel.ErfBody(x, y));
        for (var i = 0; i < x.Length; i++)
        {
            var expected = ErfReference(x[i]);
            Assert.True(Math.Abs(y[i] - expected) <= AbsoluteTolerance, $"erf({x[i]:R}): expected {expected:R}, got {y[i]:R}");
        }
    }

    [Theory]
    [InlineData(KernelWidth.Lanes16)]
    [InlineData(KernelWidth.Lanes8)]
    [InlineData(KernelWidth.Lanes4)]
    [InlineData(KernelWidth.Scalar)]
    public void SmallInputsKeepTheirRelativeAccuracy(KernelWidth width)
    {
        float[] x = [1e-30f, -1e-20f, 1e-10f, 1e-5f, -3e-3f, 0.1f, -0.49f, 0f, -0f];
        var y = new float[x.Length];
        width.Run(new ErfKernel.ErfBody(x, y));
        for (var i = 0; i < x.Length; i++)
        {
            var expected = ErfReference(x[i]);
            Assert.True(Math.Abs(y[i] - expected) <= 2e-7 * Math.Abs(expected), $"erf({x[i]:R}): expected {expected:R}, got {y[i]:R}");
        }
    }

    [Theory]
    [InlineData(KernelWidth.Lanes16)]
    [InlineData(KernelWidth.Lanes8)]
    [InlineData(KernelWidth.Lanes4)]
    [InlineData(KernelWidth.Scalar)]
    public void InfinitiesSaturateAndNaNStaysNaN(KernelWidth width)
    {
        float[] x = [float.PositiveInfinity, float.NegativeInfinity, 40f, -1e30f, float.NaN];
        var y = new float[x.Length];
        width.Run(new ErfKernel.ErfBody(x, y));
        Assert.Equal([1f, -1f, 1f, -1f], y[..4]);
        Assert.True(float.IsNaN(y[4]));
    }

    [Fact]
    public void ErfNodeMatchesOnnxRuntime()
    {
        var x = ScalarReference.Random(5, 2 * 3 * 67, -3f, 3f);
        OneNodeModel.Single("Erf", [Floats("x", x, 2, 3, 67)]).AssertManagedMatchesOnnxRuntime();
    }

    /// <summary>
    /// erf in double: its Taylor series below 2.5 (terms stay small enough that double keeps 1e-14), above it
    /// 1 − erfc from erfc's continued fraction (Lentz), accurate to double precision.
    /// </summary>
    internal static double ErfReference(double x)
    {
        var a = Math.Abs(x);
        double result;
        if (a < 2.5)
        {
            double term = a, sum = a;
            for (var n = 1; n < 200 && Math.Abs(term) > 1e-300; n++)
            {
                term *= -a * a / n;
                sum += term / (2 * n + 1);
            }
            result = 2 / Math.Sqrt(Math.PI) * sum;
        }
        else
        {
            // erfc(a) = e^(−a²)/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + …))))).
            double f = a, c = a, d = 0;
            for (var n = 1; n < 500; n++)
            {
                var coefficient = n / 2.0;
                d = a + coefficient * d;
                c = a + coefficient / c;
                d = 1 / d;
                var delta = c * d;
                f *= delta;
                if (Math.Abs(delta - 1) < 1e-16) break;
            }
            result = 1 - Math.Exp(-a * a) / Math.Sqrt(Math.PI) / f;
        }
        return x < 0 ? -result : result;
    }
}
