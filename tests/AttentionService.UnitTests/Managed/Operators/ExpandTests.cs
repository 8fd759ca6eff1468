using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using static AttentionService.Tests.Managed.Operators.ShapeOpRuns;
using DataType = AttentionService.Onnx.Protos.TensorProto.Types.DataType;

namespace AttentionService.Tests.Managed.Operators;

public class ExpandTests
{
    public static TheoryData<int[], long[], TensorElementType> Cases()
    {
        var data = new TheoryData<int[], long[], TensorElementType>();
        foreach (var type in new[] { TensorElementType.Float32, TensorElementType.Int64, TensorElementType.Bool })
        {
            data.Add([3, 1], [2, 3, 4], type);
            data.Add([1, 4], [3, 1], type);
            data.Add([2, 1, 3], [2, 1, 4, 1], type);
            data.Add([], [2, 2], type);
            data.Add([2, 3], [], type);
            data.Add([2, 1, 1, 5], [2, 3, 4, 5], type);
            data.Add([3, 1], [3, 0], type);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AgreesWithOnnxRuntime(int[] shape, long[] target, TensorElementType type)
    {
        var x = GatherTests.Data(type, shape);
        var model = OneNode("Expand", [("x", x), ("shape", Int64s(target, target.Length))], [("y", DataTypeOf(type))]);
        AssertManagedMatchesOnnxRuntime(model, x, Int64s(target, target.Length));
    }

    [Fact]
    public void ShapesThatDoNotBroadcastAreAShapeError()
    {
        var model = OneNode("Expand", [("x", Iota(3)), ("shape", Int64s([4], 1))], [("y", DataType.Float)]);
        using var backend = ManagedModels.Load(model);
        var error = Assert.Throws<ArgumentException>(() => backend.RunRented([Iota(3), Int64s([4], 1)], CancellationToken.None));
        Assert.Contains("Expand node", error.Message);
    }
}
