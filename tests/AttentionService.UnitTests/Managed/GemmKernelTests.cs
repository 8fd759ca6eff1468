using AttentionService.Backends.Managed.Kernels;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Managed;

public class GemmKernelTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<KernelWidth, int, int, int> Shapes()
    {
        var data = new TheoryData<KernelWidth, int, int, int>();
        foreach (var width in Enum.GetValues<KernelWidth>())
            foreach (var (m, k, n) in new[] { (1, 1, 1), (1, 64, 32), (3, 5, 7), (4, 17, 33), (9, 31, 16), (13, 64, 65), (6, 3, 100), (5, 130, 8), (4, 0, 5) })
                data.Add(width, m, k, n);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MultiplyMatchesScalarReference(KernelWidth width, int m, int k, int n)
    {
        var a = ScalarReference.Random(1, m * k);
        var b = ScalarReference.Random(2, k * n);
        var c = new float[m * n];
        Multiply(width, a, b, c, m, k, n, transposed: false);
        Numerics.AssertClose(ScalarReference.Gemm(a, b, m, k, n), c, Numerics.AccumulationTolerance(Tolerance, k));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MultiplyTransposedMatchesScalarReference(KernelWidth width, int m, int k, int n)
    {
        var a = ScalarReference.Random(3, m * k);
        var b = ScalarReference.Random(4, n * k);
        var c = new float[m * n];
        Multiply(width, a, b, c, m, k, n, transposed: true);
        Numerics.AssertClose(ScalarReference.Gemm(a, b, m, k, n, bTransposed: true), c, Numerics.AccumulationTolerance(Tolerance, k));
    }

    [Fact]
    public void PublicEntryPointsMatchScalarReference()
    {
        const int m = 7, k = 45, n = 37;
        var a = ScalarReference.Random(5, m * k);
        var b = ScalarReference.Random(6, k * n);
        var c = new float[m * n];
        GemmKernel.Multiply(a, b, c, m, k, n);
        Numerics.AssertClose(ScalarReference.Gemm(a, b, m, k, n), c, Numerics.AccumulationTolerance(Tolerance, k));
        GemmKernel.MultiplyTransposed(a, b, c, m, k, n);
        Numerics.AssertClose(ScalarReference.Gemm(a, b, m, k, n, bTransposed: true), c, Numerics.AccumulationTolerance(Tolerance, k));
    }

    [Fact]
    public void ALengthMismatchThrows() =>
        Assert.Throws<ArgumentException>("a", () => GemmKernel.Multiply(new float[5], new float[6], new float[4], 2, 3, 2));

    [Fact]
    public void BLengthMismatchThrows() =>
        Assert.Throws<ArgumentException>("b", () => GemmKernel.Multiply(new float[6], new float[7], new float[4], 2, 3, 2));

    [Fact]
    public void CLengthMismatchThrows() =>
        Assert.Throws<ArgumentException>("c", () => GemmKernel.Multiply(new float[6], new float[6], new float[5], 2, 3, 2));

    [Fact]
    public void TransposedBLengthMismatchThrows() =>
        Assert.Throws<ArgumentException>("b", () => GemmKernel.MultiplyTransposed(new float[6], new float[5], new float[4], 2, 3, 2));

    [Fact]
    public void NegativeDimensionThrows() =>
        Assert.Throws<ArgumentOutOfRangeException>("m", () => GemmKernel.Multiply([], [], [], -1, 0, 0));

    private static void Multiply(KernelWidth width, float[] a, float[] b, float[] c, int m, int k, int n, bool transposed)
    {
        if (transposed) width.Run(new GemmKernel.MultiplyTransposedBody(a, b, c, m, k, n));
        else width.Run(new GemmKernel.MultiplyBody(a, b, c, m, k, n));
    }
}
