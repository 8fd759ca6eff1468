using AttentionService.Backends.Managed.Kernels;

namespace AttentionService.Tests.Managed;

public class ElementwiseKernelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(33)]
    [InlineData(1001)]
    public void TanhMatchesScalarReference(int length)
    {
        var x = ScalarReference.Random(18, length, -6f, 6f);
        x[0] = 0f;
        var y = new float[length];
        TanhKernel.Tanh(x, y);
        for (var i = 0; i < length; i++)
            Assert.True(Math.Abs(Math.Tanh(x[i]) - y[i]) <= 1e-6, $"tanh({x[i]}): expected {Math.Tanh(x[i])}, got {y[i]}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(33)]
    [InlineData(1001)]
    public void SqrtMatchesScalarReference(int length)
    {
        var x = ScalarReference.Random(19, length, 0f, 100f);
        var y = new float[length];
        SqrtKernel.Sqrt(x, y);
        for (var i = 0; i < length; i++)
            Assert.Equal((float)Math.Sqrt(x[i]), y[i]);
    }

    [Fact]
    public void TanhDestinationLengthMismatchThrows() =>
        Assert.Throws<ArgumentException>("destination", () => TanhKernel.Tanh(new float[3], new float[4]));

    [Fact]
    public void SqrtDestinationLengthMismatchThrows() =>
        Assert.Throws<ArgumentException>("destination", () => SqrtKernel.Sqrt(new float[3], new float[2]));

}
