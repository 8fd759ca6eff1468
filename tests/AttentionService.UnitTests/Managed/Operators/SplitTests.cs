using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Onnx;
using static AttentionService.Tests.Managed.Operators.ShapeOpRuns;
using DataType = AttentionService.Onnx.Protos.TensorProto.Types.DataType;

namespace AttentionService.Tests.Managed.Operators;

public class SplitTests
{
    public static TheoryData<int[], long, long[]?, int, TensorElementType> Cases()
    {
        var data = new TheoryData<int[], long, long[]?, int, TensorElementType>();
        foreach (var type in new[] { TensorElementType.Float32, TensorElementType.Int64, TensorElementType.Bool })
        {
            data.Add([6, 4], 0, [1, 2, 3], 3, type);
            data.Add([6, 4], 1, [4, 0], 2, type);
            data.Add([6, 4], -1, null, 2, type);
            data.Add([2, 6, 3], 1, null, 3, type);
            data.Add([2, 6, 3], 1, [5, 1], 2, type);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AgreesWithOnnxRuntime(int[] shape, long axis, long[]? split, int outputs, TensorElementType type)
    {
        var x = GatherTests.Data(type, shape);
        (string, TensorView)[] inputs = split is null ? [("x", x)] : [("x", x), ("split", Int64s(split, split.Length))];
        var model = OneNode("Split", inputs, Enumerable.Range(0, outputs).Select(k => ($"y{k}", DataTypeOf(type))).ToArray(),
            attributes: [GraphBuilder.Attribute("axis", axis)]);
        AssertManagedMatchesOnnxRuntime(model, [.. inputs.Select(i => i.Item2)]);
    }

    [Theory]
    [InlineData(10, 4)]
    [InlineData(9, 3)]
    [InlineData(7, 2)]
    public void NumOutputsMakesEqualPartsAndASmallerLastOne(int dim, int parts)
    {
        var x = Iota(3, dim);
        var model = OneNode("Split", [("x", x)], Enumerable.Range(0, parts).Select(k => ($"y{k}", DataType.Float)).ToArray(), opset: 18,
            attributes: [GraphBuilder.Attribute("axis", 1L), GraphBuilder.Attribute("num_outputs", (long)parts)]);
        AssertManagedMatchesOnnxRuntime(model, x);
    }

    [Fact]
    public void NumOutputsThatIsNotTheOutputCountIsRefusedAtLoad()
    {
        var model = OneNode("Split", [("x", Iota(4))], [("a", DataType.Float), ("b", DataType.Float)], opset: 18,
            attributes: [GraphBuilder.Attribute("num_outputs", 3L)]);
        Assert.Contains("num_outputs = 3 but 2 outputs", AssertRefusedAtLoad(model));
    }

    [Fact]
    public void SplitThatDoesNotSumToTheAxisIsAShapeError()
    {
        var model = OneNode("Split", [("x", Iota(5)), ("split", Int64s([2, 2], 2))], [("a", DataType.Float), ("b", DataType.Float)]);
        using var backend = ManagedModels.Load(model);
        var error = Assert.Throws<ArgumentException>(() => backend.RunRented([Iota(5), Int64s([2, 2], 2)], CancellationToken.None));
        Assert.Contains("sums to 4", error.Message);
    }
}
