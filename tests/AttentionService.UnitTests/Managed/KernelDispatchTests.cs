using AttentionService.Backends.Managed.Kernels;
using Hardware = AttentionService.Backends.Managed.Kernels.VectorDispatch.Hardware;

namespace AttentionService.Tests.Managed;

/// <summary>
/// The one width rule every kernel call goes through, on the CPUs it must handle, and the kernels' public entry points
/// allocating nothing through it.
/// </summary>
public class KernelDispatchTests
{
    private static readonly Hardware Avx512Clocked = new(Accelerates128: true, Accelerates256: true, Accelerates512: false, HasAvx512: true);
    private static readonly Hardware Avx512 = new(true, true, true, true);
    private static readonly Hardware Avx2 = new(true, true, false, false);
    private static readonly Hardware Neon = new(true, false, false, false);
    private static readonly Hardware NoVectors = new(false, false, false, false);

    private const long Small = VectorDispatch.WideWork - 1;
    private const long Large = VectorDispatch.WideWork;

    public static TheoryData<string, long, int, bool, KernelWidth> Cases() => new()
    {
        // Small calls stay on 128-bit vectors, even a compute-bound one on AVX-512 hardware.
        { nameof(Avx512), Small, 1024, true, KernelWidth.Lanes4 },
        { nameof(Avx512Clocked), Small, 1024, true, KernelWidth.Lanes4 },
        { nameof(Avx2), Small, 1024, false, KernelWidth.Lanes4 },
        // Large calls take the widest accelerated width; where AVX-512 exists but the runtime prefers 256-bit, compute-bound bodies still take 512.
        { nameof(Avx512), Large, 1024, false, KernelWidth.Lanes16 },
        { nameof(Avx512Clocked), Large, 1024, false, KernelWidth.Lanes8 },
        { nameof(Avx512Clocked), Large, 1024, true, KernelWidth.Lanes16 },
        { nameof(Avx2), Large, 1024, true, KernelWidth.Lanes8 },
        { nameof(Neon), Large, 1024, true, KernelWidth.Lanes4 },
        { nameof(NoVectors), Large, 1024, true, KernelWidth.Scalar },
        { nameof(NoVectors), Small, 1024, false, KernelWidth.Scalar },
        // Narrow rows: a wide width only when the row holds one of its vectors; 128-bit has no minimum.
        { nameof(Avx512), Large, 16, false, KernelWidth.Lanes16 },
        { nameof(Avx512), Large, 15, false, KernelWidth.Lanes8 },
        { nameof(Avx512Clocked), Large, 15, true, KernelWidth.Lanes8 },
        { nameof(Avx512), Large, 8, true, KernelWidth.Lanes8 },
        { nameof(Avx512), Large, 7, true, KernelWidth.Lanes4 },
        { nameof(Avx512), Large, 1, true, KernelWidth.Lanes4 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void PicksTheWidthItsRuleSays(string cpu, long work, int length, bool computeBound, KernelWidth expected) =>
        Assert.Equal(expected.ToVectorWidth(), VectorDispatch.Choose(work, length, computeBound, Cpu(cpu)));

    [Fact]
    public void DescriptionSaysWhatALargeCallGets()
    {
        Assert.Equal("512-bit vectors for matrix multiply and softmax, 256-bit vectors elsewhere, 128-bit vectors below 65536 elements",
            VectorDispatch.Describe(Avx512Clocked));
        Assert.Equal("512-bit vectors, 128-bit vectors below 65536 elements", VectorDispatch.Describe(Avx512));
        Assert.Equal("128-bit vectors", VectorDispatch.Describe(Neon));
        Assert.Equal("scalar code", VectorDispatch.Describe(NoVectors));
    }

    [Fact]
    public void PublicEntryPointsAllocateNothingAtAnySize()
    {
        var small = Buffers(8, 8, 8);
        var large = Buffers(64, 64, 64);
        for (var i = 0; i < 3; i++)
        {
            RunAll(small);
            RunAll(large);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        RunAll(small);
        RunAll(large);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static Hardware Cpu(string name) => name switch
    {
        nameof(Avx512Clocked) => Avx512Clocked,
        nameof(Avx512) => Avx512,
        nameof(Avx2) => Avx2,
        nameof(Neon) => Neon,
        _ => NoVectors,
    };

    private sealed record Case(int M, int K, int N, float[] A, float[] B, float[] C, int[] Shape, float[] X, float[] Y, float[] Destination,
        bool[] Condition, bool[] Compared);

    private static Case Buffers(int m, int k, int n) => new(m, k, n,
        ScalarReference.Random(1, m * k), ScalarReference.Random(2, k * n), new float[m * n], [m, n],
        ScalarReference.Random(3, m * n), ScalarReference.Random(4, m * n), new float[m * n],
        ScalarReference.Random(5, m * n).Select(v => v > 0).ToArray(), new bool[m * n]);

    private static void RunAll(Case c)
    {
        GemmKernel.Multiply(c.A, c.B, c.C, c.M, c.K, c.N);
        GemmKernel.MultiplyTransposed(c.A, c.B, c.C, c.M, c.K, c.N);
        SoftmaxKernel.Rows(c.X, c.Destination, c.N);
        SoftmaxKernel.Strided(c.X, c.Destination, 1, c.M, c.N);
        MaskedSoftmaxKernel.Above(c.X, c.Shape, c.Y, c.Shape, 0f, 0.5f, float.NegativeInfinity, c.Destination);
        BroadcastBinaryKernel.Add(c.X, c.Shape, c.Y, c.Shape, c.Destination, c.Shape);
        ScalarBroadcastKernel.Select(c.Condition, c.Shape, c.X, c.Shape, c.Y, c.Shape, c.Destination, c.Shape);
        ScalarBroadcastKernel.Binary<float, bool, IsGreater>(c.X, c.Shape, c.Y, c.Shape, c.Compared, c.Shape);
    }

    private readonly struct IsGreater : IElementFunction<float, bool>
    {
        public static bool Apply(float x, float y) => x > y;
    }
}
