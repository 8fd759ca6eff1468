using AttentionService.Core.Tensors;
using AttentionService.Onnx;
using static AttentionService.Tests.Managed.Operators.ShapeOpRuns;
using DataType = AttentionService.Onnx.Protos.TensorProto.Types.DataType;

namespace AttentionService.Tests.Managed.Operators;

public class ShapeTests
{
    public static TheoryData<long?, long?, TensorElementType> Cases()
    {
        var data = new TheoryData<long?, long?, TensorElementType>();
        foreach (var type in new[] { TensorElementType.Float32, TensorElementType.Int64, TensorElementType.Bool })
        {
            data.Add(null, null, type);
            data.Add(1, null, type);
            data.Add(null, -1, type);
            data.Add(-2, -1, type);
            data.Add(10, null, type);
            data.Add(null, -10, type);
            data.Add(3, 1, type);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AgreesWithOnnxRuntimeAndRunsOnlyWhenPlanned(long? start, long? end, TensorElementType type)
    {
        var x = GatherTests.Data(type, [2, 3, 4, 5]);
        var attributes = new List<Onnx.Protos.AttributeProto>();
        if (start is { } s) attributes.Add(GraphBuilder.Attribute("start", s));
        if (end is { } e) attributes.Add(GraphBuilder.Attribute("end", e));
        var model = OneNode("Shape", [("x", x)], [("y", DataType.Int64)], attributes: [.. attributes]);
        using var backend = ManagedModels.Load(model);
        Assert.Equal(0, backend.StepCount);
        AssertMatches(backend, [x], RunOnnxRuntime(model, x));
    }

    [Fact]
    public void ANewInputShapeReplansTheShape()
    {
        var model = OneNode("Shape", [("x", Iota(2, 3))], [("y", DataType.Int64)]);
        model.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam = "batch";
        using var backend = ManagedModels.Load(model);
        foreach (var x in new[] { Iota(2, 3), Iota(7, 3), Iota(2, 3) })
            AssertMatches(backend, [x], RunOnnxRuntime(model, x));
    }
}
