using AttentionService.Core.Tensors;
using AttentionService.Onnx;
using static AttentionService.Tests.Managed.Operators.ShapeOpRuns;

namespace AttentionService.Tests.Managed.Operators;

public class FlattenTests
{
    public static TheoryData<long?, TensorElementType> Cases()
    {
        var data = new TheoryData<long?, TensorElementType>();
        foreach (var type in new[] { TensorElementType.Float32, TensorElementType.Int64, TensorElementType.Bool })
            foreach (long? axis in new long?[] { null, 0, 1, 2, 3, 4, -1, -2, -4 })
                data.Add(axis, type);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AgreesWithOnnxRuntime(long? axis, TensorElementType type)
    {
        var x = GatherTests.Data(type, [2, 3, 4, 5]);
        var model = OneNode("Flatten", [("x", x)], [("y", DataTypeOf(type))],
            attributes: axis is { } a ? [GraphBuilder.Attribute("axis", a)] : []);
        AssertManagedMatchesOnnxRuntime(model, x);
    }
}
