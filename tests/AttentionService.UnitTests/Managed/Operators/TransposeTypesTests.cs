using AttentionService.Core.Tensors;
using AttentionService.Onnx;
using static AttentionService.Tests.Managed.Operators.ShapeOpRuns;

namespace AttentionService.Tests.Managed.Operators;

/// <summary>Transpose of INT64 and BOOL tensors (the generic kernel) against ONNX Runtime; FLOAT has its own kernel tests.</summary>
public class TransposeTypesTests
{
    public static TheoryData<int[], long[]?, TensorElementType> Cases()
    {
        var data = new TheoryData<int[], long[]?, TensorElementType>();
        foreach (var type in new[] { TensorElementType.Int64, TensorElementType.Bool, TensorElementType.Float32 })
        {
            data.Add([2, 3, 4], null, type);
            data.Add([2, 3, 4], [0, 2, 1], type);
            data.Add([2, 3, 4], [2, 0, 1], type);
            data.Add([2, 3, 4], [1, 0, 2], type);
            data.Add([2, 3, 4], [0, 1, 2], type);
            data.Add([2, 1, 3, 4], [3, 1, 0, 2], type);
            data.Add([5, 7], [1, 0], type);
            data.Add([2, 0, 3], [2, 1, 0], type);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AgreesWithOnnxRuntime(int[] shape, long[]? perm, TensorElementType type)
    {
        var x = GatherTests.Data(type, shape);
        var model = OneNode("Transpose", [("x", x)], [("y", DataTypeOf(type))], attributes: perm is null ? [] : [GraphBuilder.Attribute("perm", perm)]);
        AssertManagedMatchesOnnxRuntime(model, x);
    }
}
