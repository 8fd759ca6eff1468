using AttentionService.Backends.Managed.Kernels;

namespace AttentionService.Tests.Managed;

/// <summary>
/// The block-copy kernels behind Gather, Slice, Concat/Split, Expand, Tile, Trilu and the generic Transpose, against
/// element-by-element references, and one test per argument they refuse.
/// </summary>
public class DataMovementKernelTests
{
    [Theory]
    [MemberData(nameof(TransposeKernelTests.Cases), MemberType = typeof(TransposeKernelTests))]
    public void GenericTransposeMatchesScalarReference(int[] shape, int[] perm)
    {
        var x = ScalarReference.Random(11, ScalarReference.Count(shape));
        var y = new long[x.Length];
        TransposeKernel.Transpose<long>(x.Select(v => (long)(v * 1000)).ToArray(), shape, perm, y);
        Assert.Equal(ScalarReference.Transpose(x, shape, perm).Select(v => (long)(v * 1000)), y);
    }

    public static TheoryData<int[], int[], int[], int[]> SliceCases() => new()
    {
        { [7], [2], [1], [5] },
        { [7], [6], [-1], [7] },
        { [4, 5, 6], [0, 0, 0], [1, 1, 1], [4, 5, 6] },
        { [4, 5, 6], [1, 0, 0], [1, 1, 1], [2, 5, 6] },
        { [4, 5, 6], [3, 1, 0], [-1, 2, 1], [4, 2, 6] },
        { [4, 5, 6], [0, 4, 5], [2, -1, -2], [2, 5, 3] },
        { [4, 5, 6], [1, 2, 1], [1, 1, 1], [2, 3, 4] },
        { [2, 3, 1, 4], [1, 0, 0, 3], [-1, 1, 1, -3], [2, 3, 1, 2] },
    };

    [Theory]
    [MemberData(nameof(SliceCases))]
    public void SliceMatchesElementByElementReference(int[] shape, int[] starts, int[] steps, int[] counts)
    {
        var x = ScalarReference.Random(12, ScalarReference.Count(shape));
        var y = new float[ScalarReference.Count(counts)];
        SliceKernel.Slice<float>(x, shape, starts, steps, counts, y);
        var strides = ScalarReference.Strides(shape);
        var expected = new float[y.Length];
        for (var flat = 0; flat < expected.Length; flat++)
        {
            var index = ScalarReference.Unravel(flat, counts);
            var source = 0;
            for (var a = 0; a < shape.Length; a++) source += (starts[a] + index[a] * steps[a]) * strides[a];
            expected[flat] = x[source];
        }
        Assert.Equal(expected, y);
    }

    [Fact]
    public void SliceLeavingTheAxisThrows() =>
        Assert.Throws<ArgumentOutOfRangeException>("starts", () => SliceKernel.Slice<float>(new float[6], [6], [4], [1], [3], new float[3]));

    [Theory]
    [InlineData(new[] { 3, 1 }, new[] { 2, 3, 4 })]
    [InlineData(new[] { 1, 4 }, new[] { 3, 4 })]
    [InlineData(new[] { 2, 1, 3 }, new[] { 2, 2, 4, 3 })]
    [InlineData(new int[0], new[] { 2, 2 })]
    [InlineData(new[] { 2, 1, 1, 5 }, new[] { 2, 3, 4, 5 })]
    public void ExpandMatchesBroadcastReference(int[] xShape, int[] shape)
    {
        var x = ScalarReference.Random(13, ScalarReference.Count(xShape));
        var y = new float[ScalarReference.Count(shape)];
        ExpandKernel.Expand<float>(x, xShape, y, shape);
        for (var flat = 0; flat < y.Length; flat++)
            Assert.Equal(x[ScalarReference.BroadcastSource(ScalarReference.Unravel(flat, shape), xShape)], y[flat]);
    }

    [Theory]
    [InlineData(new[] { 2, 3 }, new[] { 4, 6 })]
    [InlineData(new[] { 2, 1, 3 }, new[] { 2, 3, 6 })]
    [InlineData(new[] { 3 }, new[] { 12 })]
    public void TileMatchesModuloReference(int[] xShape, int[] shape)
    {
        var x = ScalarReference.Random(14, ScalarReference.Count(xShape));
        var y = new float[ScalarReference.Count(shape)];
        TileKernel.Tile<float>(x, xShape, y, shape);
        var strides = ScalarReference.Strides(xShape);
        for (var flat = 0; flat < y.Length; flat++)
        {
            var index = ScalarReference.Unravel(flat, shape);
            var source = 0;
            for (var a = 0; a < index.Length; a++) source += index[a] % xShape[a] * strides[a];
            Assert.Equal(x[source], y[flat]);
        }
    }

    [Fact]
    public void TileOfAShapeThatIsNoMultipleThrows() =>
        Assert.Throws<ArgumentException>("shape", () => TileKernel.Tile<float>(new float[3], [3], new float[4], [4]));

    [Theory]
    [InlineData(true, 0)]
    [InlineData(true, -2)]
    [InlineData(false, 1)]
    [InlineData(false, long.MinValue)]
    [InlineData(true, long.MaxValue)]
    public void TriluMatchesReference(bool upper, long k)
    {
        const int matrices = 2, rows = 4, columns = 5;
        var x = ScalarReference.Random(15, matrices * rows * columns);
        var y = new float[x.Length];
        TriluKernel.Trilu<float>(x, matrices, rows, columns, k, upper, y);
        for (var flat = 0; flat < y.Length; flat++)
        {
            long row = flat / columns % rows, column = flat % columns;
            var kept = upper ? column - row >= k : column - row <= k;
            Assert.Equal(kept ? x[flat] : 0f, y[flat]);
        }
    }

    [Fact]
    public void GatherWithAnIndexOutOfRangeThrowsBeforeWriting()
    {
        var destination = new float[] { 7f, 7f };
        Assert.Throws<ArgumentOutOfRangeException>("indices", () => GatherKernel.Gather<float>([1f, 2f, 3f], 1, 3, 1, [0, 3], destination));
        Assert.Equal([7f, 7f], destination);
    }

    [Fact]
    public void GatherTakesRowsAndNegativeIndices()
    {
        var y = new float[6];
        GatherKernel.Gather<float>([0f, 1f, 10f, 11f, 20f, 21f], 1, 3, 2, [2, -3, -1], y);
        Assert.Equal([20f, 21f, 0f, 1f, 20f, 21f], y);
    }

    [Fact]
    public void ConcatThenSplitAlongAnInnerAxisRoundTrips()
    {
        float[] a = [1, 2, 3, 4], b = [5, 6, 7, 8, 9, 10];
        var joined = new float[10];
        AxisBlockKernel.Insert<float>(a, 2, 2, joined, 5, 0);
        AxisBlockKernel.Insert<float>(b, 2, 3, joined, 5, 2);
        Assert.Equal([1f, 2f, 5f, 6f, 7f, 3f, 4f, 8f, 9f, 10f], joined);
        var back = new float[6];
        AxisBlockKernel.Extract<float>(joined, 2, 5, 2, back, 3);
        Assert.Equal(b, back);
    }

    [Fact]
    public void InsertPastTheEndOfTheRowThrows() =>
        Assert.Throws<ArgumentOutOfRangeException>("offset", () => AxisBlockKernel.Insert<float>(new float[4], 2, 2, new float[8], 4, 3));
}
