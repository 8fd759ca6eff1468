using AttentionService.Backends.Managed.Kernels;

namespace AttentionService.Tests.Managed;

public class BroadcastKernelTests
{
    public static TheoryData<KernelWidth, int[], int[]> Shapes()
    {
        var data = new TheoryData<KernelWidth, int[], int[]>();
        var pairs = new (int[], int[])[]
        {
            ([1], [1]), ([37], [37]), ([37], [1]), ([1], [37]), ([], [5]), ([2, 3, 19], [19]), ([2, 1, 19], [3, 1]),
            ([4, 1], [1, 21]), ([2, 3, 4, 5], [3, 1, 5]), ([5, 1, 1], [1, 3, 1]), ([1, 2, 17], [2, 1, 17]),
        };
        foreach (var width in Enum.GetValues<KernelWidth>())
            foreach (var (x, y) in pairs)
                data.Add(width, x, y);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EveryOperationMatchesScalarReference(KernelWidth width, int[] xShape, int[] yShape)
    {
        var x = ScalarReference.Random(11, ScalarReference.Count(xShape));
        var y = ScalarReference.Random(12, ScalarReference.Count(yShape), 0.5f, 2f);
        var shape = BroadcastShapes.Broadcast(xShape, yShape);
        var destination = new float[ScalarReference.Count(shape)];

        Apply<AddOperation>(width, x, xShape, y, yShape, destination, shape);
        Assert.Equal(ScalarReference.Binary(x, xShape, y, yShape, shape, (a, b) => a + b), destination);
        Apply<SubtractOperation>(width, x, xShape, y, yShape, destination, shape);
        Assert.Equal(ScalarReference.Binary(x, xShape, y, yShape, shape, (a, b) => a - b), destination);
        Apply<MultiplyOperation>(width, x, xShape, y, yShape, destination, shape);
        Assert.Equal(ScalarReference.Binary(x, xShape, y, yShape, shape, (a, b) => a * b), destination);
        Apply<DivideOperation>(width, x, xShape, y, yShape, destination, shape);
        Assert.Equal(ScalarReference.Binary(x, xShape, y, yShape, shape, (a, b) => a / b), destination);
        Apply<DivideOperation>(width, y, yShape, x, xShape, destination, shape);
        Assert.Equal(ScalarReference.Binary(y, yShape, x, xShape, shape, (a, b) => a / b), destination);
    }

    public static TheoryData<int[], int[]> ShapePairs()
    {
        var data = new TheoryData<int[], int[]>();
        foreach (var (x, y) in Shapes().Select(row => ((int[])row[1], (int[])row[2])).DistinctBy(p => (string.Join(",", p.Item1), string.Join(",", p.Item2))))
            data.Add(x, y);
        return data;
    }

    /// <summary>Where's kernel: a BOOL condition selecting between two tensors of any type, all three broadcast.</summary>
    [Theory]
    [MemberData(nameof(ShapePairs))]
    public void SelectMatchesScalarReference(int[] xShape, int[] yShape)
    {
        var conditionShape = xShape.Length > 0 ? xShape[..^1].Append(1).ToArray() : [1];
        var condition = ScalarReference.Random(13, ScalarReference.Count(conditionShape)).Select(v => v > 0).ToArray();
        var x = ScalarReference.Random(14, ScalarReference.Count(xShape));
        var y = ScalarReference.Random(15, ScalarReference.Count(yShape));
        var shape = BroadcastShapes.Broadcast(conditionShape, xShape, yShape);
        var destination = new float[ScalarReference.Count(shape)];
        ScalarBroadcastKernel.Select(condition, conditionShape, x, xShape, y, yShape, destination, shape);
        var expected = ScalarReference.Where(condition.Select(c => c ? 1f : 0f).ToArray(), conditionShape, x, xShape, y, yShape, shape);
        Assert.Equal(expected, destination);

        // INT64 values take the same path.
        long[] xs = x.Select(v => (long)(v * 100)).ToArray(), ys = y.Select(v => (long)(v * 100)).ToArray();
        var longs = new long[destination.Length];
        ScalarBroadcastKernel.Select(condition, conditionShape, xs, xShape, ys, yShape, longs, shape);
        var expectedLongs = ScalarReference.Where(condition.Select(c => c ? 1f : 0f).ToArray(), conditionShape,
            xs.Select(v => (float)v).ToArray(), xShape, ys.Select(v => (float)v).ToArray(), yShape, shape);
        Assert.Equal(expectedLongs, longs.Select(v => (float)v));
    }

    /// <summary>The comparisons' and INT64 arithmetic's kernel.</summary>
    [Theory]
    [MemberData(nameof(ShapePairs))]
    public void ScalarBinaryMatchesScalarReference(int[] xShape, int[] yShape)
    {
        var x = ScalarReference.Random(11, ScalarReference.Count(xShape));
        var y = ScalarReference.Random(12, ScalarReference.Count(yShape));
        var shape = BroadcastShapes.Broadcast(xShape, yShape);
        var destination = new bool[ScalarReference.Count(shape)];
        ScalarBroadcastKernel.Binary<float, bool, IsGreater>(x, xShape, y, yShape, destination, shape);
        Assert.Equal(ScalarReference.Binary(x, xShape, y, yShape, shape, (a, b) => a > b ? 1f : 0f), destination.Select(v => v ? 1f : 0f));
    }

    [Fact]
    public void PublicEntryPointsMatchScalarReference()
    {
        int[] xShape = [3, 1, 17], yShape = [4, 17];
        var x = ScalarReference.Random(16, 51);
        var y = ScalarReference.Random(17, 68);
        var shape = BroadcastShapes.Broadcast(xShape, yShape);
        var destination = new float[ScalarReference.Count(shape)];
        BroadcastBinaryKernel.Subtract(x, xShape, y, yShape, destination, shape);
        Assert.Equal(ScalarReference.Binary(x, xShape, y, yShape, shape, (a, b) => a - b), destination);
        var greater = ScalarReference.Binary(x, xShape, y, yShape, shape, (a, b) => a > b ? 1f : 0f);
        var condition = greater.Select(v => v != 0f).ToArray();
        var selected = new float[destination.Length];
        ScalarBroadcastKernel.Select(condition, shape, x, xShape, y, yShape, selected, shape);
        Assert.Equal(ScalarReference.Where(greater, shape, x, xShape, y, yShape, shape), selected);
    }

    [Fact]
    public void IncompatibleShapesThrow() =>
        Assert.Throws<ArgumentException>(() => BroadcastShapes.Broadcast([2, 3], [4]));

    [Fact]
    public void InputLengthNotMatchingItsShapeThrows() =>
        Assert.Throws<ArgumentException>("x", () => BroadcastBinaryKernel.Add(new float[5], [2, 3], new float[3], [3], new float[6], [2, 3]));

    [Fact]
    public void InputNotBroadcastingToDestinationShapeThrows() =>
        Assert.Throws<ArgumentException>("y", () => BroadcastBinaryKernel.Add(new float[6], [2, 3], new float[2], [2], new float[6], [2, 3]));

    [Fact]
    public void DestinationLengthMismatchThrows() =>
        Assert.Throws<ArgumentException>("destination", () => BroadcastBinaryKernel.Add(new float[6], [2, 3], new float[3], [3], new float[5], [2, 3]));

    [Fact]
    public void SelectConditionLengthMismatchThrows() =>
        Assert.Throws<ArgumentException>("condition", () => ScalarBroadcastKernel.Select<float>(new bool[2], [3], new float[3], [3], new float[3], [3], new float[3], [3]));

    [Fact]
    public void SelectInputNotBroadcastingToDestinationShapeThrows() =>
        Assert.Throws<ArgumentException>("y", () => ScalarBroadcastKernel.Select<float>(new bool[3], [3], new float[3], [3], new float[2], [2], new float[3], [3]));

    private readonly struct IsGreater : IElementFunction<float, bool>
    {
        public static bool Apply(float x, float y) => x > y;
    }

    private static void Apply<TOperation>(KernelWidth width, float[] x, int[] xShape, float[] y, int[] yShape, float[] destination, int[] shape)
        where TOperation : IBinaryOperation =>
        width.Run(new BroadcastBinaryKernel.ApplyBody<TOperation>(x, xShape, y, yShape, destination, shape));
}
