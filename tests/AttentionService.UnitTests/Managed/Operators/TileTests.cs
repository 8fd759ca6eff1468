using AttentionService.Core.Tensors;
using static AttentionService.Tests.Managed.Operators.ShapeOpRuns;

namespace AttentionService.Tests.Managed.Operators;

public class TileTests
{
    public static TheoryData<int[], long[], TensorElementType> Cases()
    {
        var data = new TheoryData<int[], long[], TensorElementType>();
        foreach (var type in new[] { TensorElementType.Float32, TensorElementType.Int64, TensorElementType.Bool })
        {
            data.Add([2, 3], [2, 2], type);
            data.Add([2, 1, 3], [1, 3, 2], type);
            data.Add([3], [0], type);
            data.Add([3], [4], type);
            data.Add([], [], type);
            data.Add([2, 3, 2], [3, 1, 1], type);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AgreesWithOnnxRuntime(int[] shape, long[] repeats, TensorElementType type)
    {
        var x = GatherTests.Data(type, shape);
        var model = OneNode("Tile", [("x", x), ("repeats", Int64s(repeats, repeats.Length))], [("y", DataTypeOf(type))]);
        AssertManagedMatchesOnnxRuntime(model, x, Int64s(repeats, repeats.Length));
    }
}
