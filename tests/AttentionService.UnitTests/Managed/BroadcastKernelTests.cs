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
        Apply<GreaterOperation>(width, x, xShape, y, yShape, destination, shape);
        Assert.Equal(ScalarReference.Binary(x, xShape, y, yShape, shape, (a, b) => a > b ? 1f : 0f), destination);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void WhereMatchesScalarReference(KernelWidth width, int[] xShape, int[] yShape)
    {
        var conditionShape = xShape.Length > 0 ? xShape[..^1].Append(1).ToArray() : [1];
        var condition = ScalarReference.Random(13, ScalarReference.Count(conditionShape)).Select(v => v > 0 ? 1f : 0f).ToArray();
        var x = ScalarReference.Random(14, ScalarReference.Count(xShape));
        var y = ScalarReference.Random(15, ScalarReference.Count(yShape));
        var shape = BroadcastShapes.Broadcast(conditionShape, xShape, yShape);
        var destination = new float[ScalarReference.Count(shape)];
        width.Run(new WhereKernel.WhereBody(condition, conditionShape, x, xShape, y, yShape, destination, shape));
        Assert.Equal(ScalarReference.Where(condition, conditionShape, x, xShape, y, yShape, shape), destination);
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
        BroadcastBinaryKernel.Greater(x, xShape, y, yShape, destination, shape);
        Assert.Equal(ScalarReference.Binary(x, xShape, y, yShape, shape, (a, b) => a > b ? 1f : 0f), destination);
        var selected = new float[destination.Length];
        WhereKernel.Where(destination, shape, x, xShape, y, yShape, selected, shape);
        Assert.Equal(ScalarReference.Where(destination, shape, x, xShape, y, yShape, shape), selected);
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
    public void WhereConditionLengthMismatchThrows() =>
        Assert.Throws<ArgumentException>("condition", () => WhereKernel.Where(new float[2], [3], new float[3], [3], new float[3], [3], new float[3], [3]));

    private static void Apply<TOperation>(KernelWidth width, float[] x, int[] xShape, float[] y, int[] yShape, float[] destination, int[] shape)
        where TOperation : IBinaryOperation =>
        width.Run(new BroadcastBinaryKernel.ApplyBody<TOperation>(x, xShape, y, yShape, destination, shape));
}
