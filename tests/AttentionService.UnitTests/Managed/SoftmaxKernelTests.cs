using AttentionService.Backends.Managed.Kernels;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Managed;

public class SoftmaxKernelTests
{
    private const double Tolerance = 1e-6;

    public static TheoryData<KernelWidth, int, int> RowShapes()
    {
        var data = new TheoryData<KernelWidth, int, int>();
        foreach (var width in Enum.GetValues<KernelWidth>())
            foreach (var (rows, rowLength) in new[] { (1, 1), (1, 17), (3, 32), (5, 129), (2, 1000) })
                data.Add(width, rows, rowLength);
        return data;
    }

    [Theory]
    [MemberData(nameof(RowShapes))]
    public void RowsMatchScalarReference(KernelWidth width, int rows, int rowLength)
    {
        var x = ScalarReference.Random(7, rows * rowLength, -8f, 8f);
        var y = new float[x.Length];
        width.Run(new AxisSoftmaxKernel<SoftmaxKernel.Probabilities>.RowsBody(x, y, rowLength));
        Numerics.AssertClose(ScalarReference.Softmax(x, rows, rowLength, 1), y, Tolerance);
    }

    public static TheoryData<KernelWidth, int, int, int> StridedShapes()
    {
        var data = new TheoryData<KernelWidth, int, int, int>();
        foreach (var width in Enum.GetValues<KernelWidth>())
            foreach (var (outer, axisLength, inner) in new[] { (1, 3, 2), (2, 5, 17), (3, 1, 9), (2, 7, 300) })
                data.Add(width, outer, axisLength, inner);
        return data;
    }

    [Theory]
    [MemberData(nameof(StridedShapes))]
    public void StridedMatchesScalarReference(KernelWidth width, int outer, int axisLength, int inner)
    {
        var x = ScalarReference.Random(8, outer * axisLength * inner, -8f, 8f);
        var y = new float[x.Length];
        width.Run(new AxisSoftmaxKernel<SoftmaxKernel.Probabilities>.StridedBody(x, y, outer, axisLength, inner));
        Numerics.AssertClose(ScalarReference.Softmax(x, outer, axisLength, inner), y, Tolerance);
    }

    [Fact]
    public void PublicEntryPointsMatchScalarReference()
    {
        var x = ScalarReference.Random(6, 3 * 4 * 37, -8f, 8f);
        var y = new float[x.Length];
        SoftmaxKernel.Rows(x, y, 37);
        Numerics.AssertClose(ScalarReference.Softmax(x, 12, 37, 1), y, Tolerance);
        SoftmaxKernel.Strided(x, y, 3, 4, 37);
        Numerics.AssertClose(ScalarReference.Softmax(x, 3, 4, 37), y, Tolerance);
    }

    [Fact]
    public void NegativeInfinityGetsExactlyZeroWeightAndRowsSumToOne()
    {
        var x = ScalarReference.Random(9, 3 * 19, -4f, 4f);
        foreach (var masked in new[] { 0, 5, 18, 19, 20, 40, 56 }) x[masked] = float.NegativeInfinity;
        var y = new float[x.Length];
        SoftmaxKernel.Rows(x, y, 19);
        for (var i = 0; i < x.Length; i++)
            if (float.IsNegativeInfinity(x[i])) Assert.Equal(0f, y[i]);
            else Assert.True(y[i] > 0f, $"element {i} is {y[i]}");
        for (var row = 0; row < 3; row++)
            Assert.Equal(1.0, y.Skip(row * 19).Take(19).Sum(v => (double)v), 1e-6);
    }

    [Fact]
    public void LargeScoresDoNotOverflow()
    {
        float[] x = [1000f, 999f, -1000f, 998f];
        var y = new float[4];
        SoftmaxKernel.Rows(x, y, 4);
        Numerics.AssertClose(ScalarReference.Softmax(x, 1, 4, 1), y, Tolerance);
        Assert.Equal(0f, y[2]);
    }

    [Fact]
    public void RowsDestinationLengthMismatchThrows() =>
        Assert.Throws<ArgumentException>("destination", () => SoftmaxKernel.Rows(new float[6], new float[5], 3));

    [Fact]
    public void RowsPartialRowThrows() =>
        Assert.Throws<ArgumentException>("x", () => SoftmaxKernel.Rows(new float[7], new float[7], 3));

    [Fact]
    public void StridedLengthMismatchThrows() =>
        Assert.Throws<ArgumentException>("x", () => SoftmaxKernel.Strided(new float[11], new float[11], 2, 3, 2));
}
