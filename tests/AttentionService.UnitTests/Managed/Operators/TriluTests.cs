using AttentionService.Core.Tensors;
using AttentionService.Onnx;
using static AttentionService.Tests.Managed.Operators.ShapeOpRuns;

namespace AttentionService.Tests.Managed.Operators;

public class TriluTests
{
    public static TheoryData<int[], bool, long?, TensorElementType> Cases()
    {
        var data = new TheoryData<int[], bool, long?, TensorElementType>();
        foreach (var type in new[] { TensorElementType.Float32, TensorElementType.Int64, TensorElementType.Bool })
            foreach (var upper in new[] { true, false })
                foreach (long? k in new long?[] { null, -1, 0, 2, 100, -100, long.MaxValue, long.MinValue })
                {
                    data.Add([2, 3, 5], upper, k, type);
                    data.Add([4, 3], upper, k, type);
                }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AgreesWithOnnxRuntime(int[] shape, bool upper, long? k, TensorElementType type)
    {
        var x = GatherTests.Data(type, shape);
        (string, TensorView)[] inputs = k is { } shift ? [("x", x), ("k", Int64s([shift]))] : [("x", x)];
        var model = OneNode("Trilu", inputs, [("y", DataTypeOf(type))], attributes: [GraphBuilder.Attribute("upper", upper ? 1L : 0L)]);
        AssertManagedMatchesOnnxRuntime(model, [.. inputs.Select(i => i.Item2)]);
    }
}
