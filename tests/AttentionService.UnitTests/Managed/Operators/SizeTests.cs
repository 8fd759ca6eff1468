using AttentionService.Core.Tensors;
using static AttentionService.Tests.Managed.Operators.ShapeOpRuns;
using DataType = AttentionService.Onnx.Protos.TensorProto.Types.DataType;

namespace AttentionService.Tests.Managed.Operators;

public class SizeTests
{
    public static TheoryData<int[], TensorElementType> Cases()
    {
        var data = new TheoryData<int[], TensorElementType>();
        foreach (var type in new[] { TensorElementType.Float32, TensorElementType.Int64, TensorElementType.Bool })
        {
            data.Add([2, 3, 4], type);
            data.Add([], type);
            data.Add([3, 0], type);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AgreesWithOnnxRuntimeAndRunsOnlyWhenPlanned(int[] shape, TensorElementType type)
    {
        var x = GatherTests.Data(type, shape);
        var model = OneNode("Size", [("x", x)], [("y", DataType.Int64)]);
        using var backend = ManagedModels.Load(model);
        Assert.Equal(0, backend.StepCount);
        AssertMatches(backend, [x], RunOnnxRuntime(model, x));
    }
}
