using System.Runtime.Intrinsics;
using AttentionService.Backends.Managed.Kernels;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Managed;

/// <summary>
/// The cache-blocked multiply against the double-precision scalar twin, at every vector width, with block sizes small
/// enough that every k-block, row-block and column-block edge is crossed, and with the blocks this machine uses.
/// </summary>
public class PackedGemmTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<KernelWidth, int, int, int, bool> Shapes()
    {
        var data = new TheoryData<KernelWidth, int, int, int, bool>();
        foreach (var width in Enum.GetValues<KernelWidth>())
            foreach (var transposed in new[] { false, true })
                foreach (var (m, k, n) in new[] { (6, 1, 1), (7, 13, 5), (12, 16, 32), (13, 37, 70), (25, 9, 33), (31, 64, 17), (6, 0, 9) })
                    data.Add(width, m, k, n, transposed);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void SmallBlocksMatchScalarReference(KernelWidth width, int m, int k, int n, bool transposed)
    {
        var (a, b, expected) = Case(m, k, n, transposed);
        var c = ScalarReference.Random(99, m * n);
        var lanes = width switch { KernelWidth.Lanes16 => 16, KernelWidth.Lanes8 => 8, KernelWidth.Lanes4 => 4, _ => 1 };
        // k-blocks of 5, row blocks of 2 tiles, column blocks of 2 panels: a partial block of each kind in most shapes.
        Multiply(width, a, b, c, m, k, n, transposed, (5, 2 * PackedGemm.TileRows, 4 * lanes));
        Numerics.AssertClose(expected, c, Numerics.AccumulationTolerance(Tolerance, k));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MachineBlocksMatchScalarReference(KernelWidth width, int m, int k, int n, bool transposed)
    {
        var (a, b, expected) = Case(m, k, n, transposed);
        var c = new float[m * n];
        Multiply(width, a, b, c, m, k, n, transposed, null);
        Numerics.AssertClose(expected, c, Numerics.AccumulationTolerance(Tolerance, k));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LargeMultiplyThroughPublicEntryPointMatchesScalarReference(bool transposed)
    {
        // Larger than one k-block and one column block at every width, with ragged edges everywhere.
        const int m = 131, k = 300, n = 1100;
        var (a, b, expected) = Case(m, k, n, transposed);
        var c = new float[m * n];
        if (transposed) GemmKernel.MultiplyTransposed(a, b, c, m, k, n);
        else GemmKernel.Multiply(a, b, c, m, k, n);
        Numerics.AssertClose(expected, c, Numerics.AccumulationTolerance(Tolerance, k));
    }

    private static (float[] A, float[] B, double[] Expected) Case(int m, int k, int n, bool transposed)
    {
        var a = ScalarReference.Random(11, m * k);
        var b = ScalarReference.Random(12, k * n);
        return (a, b, ScalarReference.Gemm(a, b, m, k, n, transposed));
    }

    private static void Multiply(KernelWidth width, float[] a, float[] b, float[] c, int m, int k, int n, bool transposed,
        (int K, int Rows, int Columns)? blocks)
    {
        switch (width)
        {
            case KernelWidth.Lanes16: Run<Simd512, Vector512<float>>(); break;
            case KernelWidth.Lanes8: Run<Simd256, Vector256<float>>(); break;
            case KernelWidth.Lanes4: Run<Simd128, Vector128<float>>(); break;
            default: Run<SimdScalar, float>(); break;
        }

        void Run<TSimd, TVector>() where TSimd : struct, ISimd<TVector> where TVector : struct
        {
            var (kBlock, rowBlock, columnBlock) = blocks ?? PackedGemm.Blocks<TSimd, TVector>();
            PackedGemm.Multiply<TSimd, TVector>(a, b, c, m, k, n, transposed, kBlock, rowBlock, columnBlock);
        }
    }
}
